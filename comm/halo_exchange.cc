#include "comm/halo_exchange.h"

#include <cstring>
#include <string>

#include "comm/quantize.h"
#include "core/rng.h"

namespace streamgnn::comm {

StatusOr<HaloExchange> HaloExchange::Create(Communicator* comm, const graph::LocalPartition* part,
                                            uint64_t seed) {
  if (comm == nullptr || part == nullptr) {
    return Status::InvalidArgument("HaloExchange: communicator and partition are required");
  }
  if (part->part != comm->rank()) {
    return Status::InvalidArgument("HaloExchange: partition " + std::to_string(part->part) +
                                   " given to rank " + std::to_string(comm->rank()));
  }
  const size_t n = static_cast<size_t>(comm->size());
  if (part->send.size() != n || part->recv.size() != n) {
    return Status::InvalidArgument(
        "HaloExchange: the partition has " + std::to_string(part->send.size()) +
        " parts but the communicator has " + std::to_string(n) + " ranks");
  }
  return HaloExchange(comm, part, seed);
}

HaloExchange::HaloExchange(Communicator* comm, const graph::LocalPartition* part, uint64_t seed)
    : comm_(comm), part_(part), seed_(seed) {
  for (const auto& ids : part->send) send_order_.insert(send_order_.end(), ids.begin(), ids.end());
}

std::vector<int64_t> HaloExchange::SendCounts(int64_t dim) const {
  std::vector<int64_t> counts;
  for (const auto& ids : part_->send) counts.push_back(static_cast<int64_t>(ids.size()) * dim);
  return counts;
}

std::vector<int64_t> HaloExchange::HaloCounts(int64_t dim) const {
  std::vector<int64_t> counts;
  for (const auto& [begin, end] : part_->recv) counts.push_back((end - begin) * dim);
  return counts;
}

Status HaloExchange::ForwardPacked(const float* send, float* halo, int64_t dim) {
  if (dim < 1) return Status::InvalidArgument("HaloExchange: dim must be >= 1");
  const std::vector<int64_t> send_counts = SendCounts(dim);
  ++stats_.calls;
  for (int64_t c : send_counts) stats_.bytes_sent += c * static_cast<int64_t>(sizeof(float));
  return comm_->AllToAllFloats(send, send_counts, halo, HaloCounts(dim));
}

Status HaloExchange::BackwardPacked(const float* halo, float* send, int64_t dim) {
  if (dim < 1) return Status::InvalidArgument("HaloExchange: dim must be >= 1");
  const std::vector<int64_t> halo_counts = HaloCounts(dim);
  ++stats_.calls;
  for (int64_t c : halo_counts) stats_.bytes_sent += c * static_cast<int64_t>(sizeof(float));
  return comm_->AllToAllFloats(halo, halo_counts, send, SendCounts(dim));
}

Status HaloExchange::Check(Span<float> rows, int64_t dim, int bits,
                           const RowBits* row_bits) const {
  if (row_bits != nullptr && static_cast<int>(row_bits->size()) != comm_->size()) {
    return Status::InvalidArgument("HaloExchange: row widths for " +
                                   std::to_string(row_bits->size()) + " ranks, expected " +
                                   std::to_string(comm_->size()));
  }
  if (dim < 1) return Status::InvalidArgument("HaloExchange: dim must be >= 1");
  if (static_cast<int64_t>(rows.size()) != num_local() * dim) {
    return Status::InvalidArgument("HaloExchange: expected " + std::to_string(num_local()) + " x " +
                                   std::to_string(dim) + " values, got " +
                                   std::to_string(rows.size()));
  }
  if (bits != 32 && !IsSupportedBitWidth(bits)) {
    return Status::InvalidArgument("HaloExchange: " + std::to_string(bits) +
                                   "-bit messages are not supported; expected 32, 8, 4 or 2");
  }
  return Status::Ok();
}

StatusOr<Bytes> HaloExchange::Pack(const float* rows, int64_t dim, const std::vector<int64_t>* ids,
                                   int64_t first, int64_t count, int bits,
                                   const std::vector<uint8_t>* widths, int peer) {
  if (widths != nullptr && static_cast<int64_t>(widths->size()) != count) {
    return Status::InvalidArgument("HaloExchange: " + std::to_string(widths->size()) +
                                   " row widths for " + std::to_string(count) + " rows to rank " +
                                   std::to_string(peer));
  }
  if (bits != 32 && count == 0) return Bytes();  // nothing to quantise: an empty message
  Bytes msg(static_cast<size_t>(count * dim) * sizeof(float));
  auto* out = reinterpret_cast<float*>(msg.data());
  for (int64_t i = 0; i < count; ++i) {
    const int64_t r = ids != nullptr ? (*ids)[i] : first + i;
    std::memcpy(out + i * dim, rows + r * dim, static_cast<size_t>(dim) * sizeof(float));
  }
  if (bits == 32) return msg;
  // Fresh rounding noise per (call, sender, receiver): see comm/quantize.h.
  const QuantKey key{seed_, core::StreamKey(static_cast<uint64_t>(stats_.calls),
                                            static_cast<uint64_t>(comm_->rank()),
                                            static_cast<uint64_t>(peer))};
  const Span<const float> data(out, static_cast<size_t>(count * dim));
  if (widths != nullptr) return Encode(data, dim, Span<const uint8_t>(*widths), key);
  return Encode(data, dim, bits, key);
}

Status HaloExchange::Unpack(const Bytes& msg, int64_t dim, int64_t count, int bits, int peer,
                            std::vector<float>* out) const {
  if (bits != 32) {
    out->resize(static_cast<size_t>(count * dim));
    if (count == 0) {
      if (!msg.empty()) {
        return Status::Corruption("HaloExchange: rank " + std::to_string(peer) +
                                  " sent a message where none was expected");
      }
      return Status::Ok();
    }
    SG_ASSIGN_OR_RETURN(const QuantBlockInfo info, ParseQuantHeader(Span<const uint8_t>(msg)));
    if (info.rows != count || info.dim != dim) {
      return Status::Corruption("HaloExchange: rank " + std::to_string(peer) + " sent " +
                                std::to_string(info.rows) + " x " + std::to_string(info.dim) +
                                " quantised rows, expected " + std::to_string(count) + " x " +
                                std::to_string(dim));
    }
    return DecodeInto(Span<const uint8_t>(msg), Span<float>(*out));
  }
  const size_t want = static_cast<size_t>(count * dim) * sizeof(float);
  if (msg.size() != want) {
    return Status::Corruption("HaloExchange: rank " + std::to_string(peer) + " sent " +
                              std::to_string(msg.size()) + " bytes, expected " +
                              std::to_string(want) + " (" + std::to_string(count) + " rows)");
  }
  out->resize(static_cast<size_t>(count * dim));
  if (want > 0) std::memcpy(out->data(), msg.data(), want);
  return Status::Ok();
}

Status HaloExchange::Forward(Span<float> rows, int64_t dim, int bits, const RowBits* row_bits) {
  if (row_bits != nullptr) bits = 8;  // any quantised width: the rows carry their own
  SG_RETURN_IF_ERROR(Check(rows, dim, bits, row_bits));
  const int n = comm_->size(), me = comm_->rank();
  std::vector<Bytes> send(n), recv;
  for (int q = 0; q < n; ++q) {
    if (q == me) continue;
    const auto& ids = part_->send[q];
    SG_ASSIGN_OR_RETURN(send[q], Pack(rows.data(), dim, &ids, 0,
                                      static_cast<int64_t>(ids.size()), bits,
                                      row_bits != nullptr ? &(*row_bits)[q] : nullptr, q));
    stats_.bytes_sent += static_cast<int64_t>(send[q].size());
  }
  ++stats_.calls;
  SG_RETURN_IF_ERROR(comm_->AllToAllV(send, &recv));
  std::vector<float> values;
  for (int q = 0; q < n; ++q) {
    if (q == me) continue;
    const auto [begin, end] = part_->recv[q];
    SG_RETURN_IF_ERROR(Unpack(recv[q], dim, end - begin, bits, q, &values));
    if (!values.empty()) {
      std::memcpy(rows.data() + begin * dim, values.data(), values.size() * sizeof(float));
    }
  }
  return Status::Ok();
}

Status HaloExchange::Backward(Span<float> grads, int64_t dim, int bits,
                              const RowBits* row_bits) {
  if (row_bits != nullptr) bits = 8;
  SG_RETURN_IF_ERROR(Check(grads, dim, bits, row_bits));
  const int n = comm_->size(), me = comm_->rank();
  std::vector<Bytes> send(n), recv;
  for (int q = 0; q < n; ++q) {
    if (q == me) continue;
    const auto [begin, end] = part_->recv[q];
    SG_ASSIGN_OR_RETURN(send[q], Pack(grads.data(), dim, nullptr, begin, end - begin, bits,
                                      row_bits != nullptr ? &(*row_bits)[q] : nullptr, q));
    stats_.bytes_sent += static_cast<int64_t>(send[q].size());
  }
  ++stats_.calls;
  SG_RETURN_IF_ERROR(comm_->AllToAllV(send, &recv));
  std::vector<float> values;
  for (int q = 0; q < n; ++q) {
    if (q == me) continue;
    const auto& ids = part_->send[q];
    SG_RETURN_IF_ERROR(Unpack(recv[q], dim, static_cast<int64_t>(ids.size()), bits, q, &values));
    for (size_t i = 0; i < ids.size(); ++i) {
      float* dst = grads.data() + ids[i] * dim;
      const float* src = values.data() + static_cast<int64_t>(i) * dim;
      for (int64_t j = 0; j < dim; ++j) dst[j] += src[j];
    }
  }
  return Status::Ok();
}

}  // namespace streamgnn::comm
