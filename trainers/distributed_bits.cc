#include "trainers/distributed_bits.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <limits>
#include <string>

namespace streamgnn::trainers {
namespace {

// Flat little-endian records for the gather / scatter through rank 0.
class Writer {
 public:
  template <class T>
  void Put(T v) {
    const size_t at = bytes.size();
    bytes.resize(at + sizeof(T));
    std::memcpy(bytes.data() + at, &v, sizeof(T));
  }
  void PutBytes(const std::vector<uint8_t>& v) {
    Put<uint64_t>(v.size());
    bytes.insert(bytes.end(), v.begin(), v.end());
  }
  comm::Bytes bytes;
};

class Reader {
 public:
  explicit Reader(const comm::Bytes& b) : b_(b) {}
  template <class T>
  bool Get(T* v) {
    if (pos_ + sizeof(T) > b_.size()) return false;
    std::memcpy(v, b_.data() + pos_, sizeof(T));
    pos_ += sizeof(T);
    return true;
  }
  bool GetBytes(std::vector<uint8_t>* v) {
    uint64_t n = 0;
    if (!Get(&n) || pos_ + n > b_.size()) return false;
    v->assign(b_.begin() + static_cast<std::ptrdiff_t>(pos_),
              b_.begin() + static_cast<std::ptrdiff_t>(pos_ + n));
    pos_ += n;
    return true;
  }
  bool done() const { return pos_ == b_.size(); }

 private:
  const comm::Bytes& b_;
  size_t pos_ = 0;
};

Status Malformed(const char* what) {
  return Status::Internal(std::string("adaptive bit widths: malformed ") + what + " message");
}

}  // namespace

StatusOr<AdaptiveBits> AdaptiveBits::Create(comm::Communicator* comm,
                                            const graph::PartitionBook* book,
                                            const graph::CsrGraph* graph, int64_t num_layers,
                                            const AdaptiveBitsOptions& options) {
  AdaptiveBits a;
  a.comm_ = comm;
  a.book_ = book;
  a.options_ = options;
  a.num_layers_ = num_layers;
  const int n = comm->size(), me = comm->rank();
  const graph::LocalPartition& part = book->partition(me);
  SG_ASSIGN_OR_RETURN(a.weights_, comm::MessageAggregationWeights(*graph, *book, me,
                                                                  options.aggregation));
  a.scores_.assign(num_layers, std::vector<std::vector<double>>(n));
  a.dims_.assign(num_layers, 0);
  a.forward_.assign(num_layers, comm::RowBits(n));
  a.backward_.assign(num_layers, comm::RowBits(n));
  for (int64_t l = 1; l < num_layers; ++l) {
    for (int q = 0; q < n; ++q) {
      if (q == me) continue;
      a.forward_[l][q].assign(part.send[q].size(), 8);
      a.backward_[l][q].assign(static_cast<size_t>(part.recv[q].second - part.recv[q].first), 8);
    }
  }
  // Time model per outgoing channel: each channel in turn sends three sizes (the others send
  // nothing); the sender keeps the fastest of three repetitions of each.
  a.time_.assign(n, comm::LinearTimeModel{});
  const std::vector<double> sizes = {16e3, 128e3, 1e6};
  for (int src = 0; src < n; ++src) {
    for (int dst = 0; dst < n; ++dst) {
      if (src == dst) continue;
      std::vector<double> seconds;
      for (double size : sizes) {
        double best = std::numeric_limits<double>::infinity();
        for (int rep = 0; rep < 3; ++rep) {
          std::vector<comm::Bytes> send(n), recv;
          if (me == src) send[dst].assign(static_cast<size_t>(size), 1);
          const auto t0 = std::chrono::steady_clock::now();
          SG_RETURN_IF_ERROR(comm->AllToAllV(send, &recv));
          best = std::min(best, std::chrono::duration<double>(
                                    std::chrono::steady_clock::now() - t0).count());
        }
        seconds.push_back(best);
      }
      if (me == src) {
        SG_ASSIGN_OR_RETURN(comm::LinearTimeModel m,
                            comm::FitLinearTimeModel(Span<const double>(sizes),
                                                     Span<const double>(seconds)));
        // Timing noise can tilt the fit; a send never gets cheaper with more bytes.
        m.beta = std::max(m.beta, 1e-12);
        m.alpha = std::max(m.alpha, 0.0);
        a.time_[dst] = m;
      }
    }
  }
  return a;
}

Status AdaptiveBits::Trace(int64_t layer, Span<const float> inner, int64_t dim) {
  const graph::LocalPartition& part = book_->partition(comm_->rank());
  if (layer < 1 || layer >= num_layers_ || dim < 1 ||
      static_cast<int64_t>(inner.size()) != part.num_inner() * dim) {
    return Status::InvalidArgument("adaptive bit widths: bad trace of layer " +
                                   std::to_string(layer));
  }
  dims_[layer] = dim;
  std::vector<float> rows;
  for (int q = 0; q < comm_->size(); ++q) {
    const auto& ids = part.send[q];
    auto& scores = scores_[layer][q];
    scores.clear();
    if (q == comm_->rank() || ids.empty()) continue;
    rows.resize(ids.size() * static_cast<size_t>(dim));
    for (size_t i = 0; i < ids.size(); ++i) {
      std::memcpy(rows.data() + i * dim, inner.data() + ids[i] * dim, dim * sizeof(float));
    }
    SG_ASSIGN_OR_RETURN(const std::vector<double> ranges,
                        comm::RowRanges(Span<const float>(rows), dim));
    scores.resize(ids.size());
    for (size_t i = 0; i < ids.size(); ++i) {
      scores[i] = comm::MessageVarianceScore(weights_[q][i], dim, ranges[i]);
    }
  }
  return Status::Ok();
}

Status AdaptiveBits::Assign() {
  const int n = comm_->size(), me = comm_->rank();
  const graph::LocalPartition& part = book_->partition(me);
  // 1. Every rank's outgoing channels to rank 0: per layer, per destination with messages.
  Writer up;
  for (int64_t l = 1; l < num_layers_; ++l) {
    for (int q = 0; q < n; ++q) {
      if (q == me || part.send[q].empty()) continue;
      // A bug, not an input error: returning here would leave the other ranks waiting.
      SG_CHECK(scores_[l][q].size() == part.send[q].size(),
               "adaptive bit widths: a layer was not traced before Assign");
      up.Put<int64_t>(l);
      up.Put<int64_t>(q);
      up.Put<int64_t>(dims_[l]);
      up.Put<double>(time_[q].alpha);
      up.Put<double>(time_[q].beta);
      up.Put<uint64_t>(scores_[l][q].size());
      for (double s : scores_[l][q]) up.Put<double>(s);
    }
  }
  std::vector<comm::Bytes> send(n), recv;
  send[0] = std::move(up.bytes);
  SG_RETURN_IF_ERROR(comm_->AllToAllV(send, &recv));

  // 2. Rank 0 solves one MILP per layer and writes every rank its widths.
  std::vector<comm::Bytes> down(n);
  if (me == 0) {
    // bits[l][src][dst]
    std::vector<std::vector<comm::RowBits>> bits(
        num_layers_, std::vector<comm::RowBits>(n, comm::RowBits(n)));
    std::vector<std::vector<comm::ChannelTraffic>> channels(num_layers_);
    // Errors are sent to every rank below rather than returned here (no rank may be left
    // waiting for the widths).
    auto parse = [&]() -> Status {
      for (int src = 0; src < n; ++src) {
        Reader r(recv[src]);
        while (!r.done()) {
          int64_t l = 0, q = 0;
          uint64_t count = 0;
          comm::ChannelTraffic c;
          if (!r.Get(&l) || !r.Get(&q) || !r.Get(&c.dim) || !r.Get(&c.time.alpha) ||
              !r.Get(&c.time.beta) || !r.Get(&count) || l < 1 || l >= num_layers_ || q < 0 ||
              q >= n) {
            return Malformed("channel");
          }
          c.src = src;
          c.dst = q;
          c.variance_scores.resize(count);
          for (double& s : c.variance_scores) {
            if (!r.Get(&s)) return Malformed("channel");
          }
          channels[l].push_back(std::move(c));
        }
      }
      return Status::Ok();
    };
    Status solved = parse();
    double objective = 0;
    for (int64_t l = 1; l < num_layers_ && solved.ok(); ++l) {
      if (channels[l].empty()) continue;
      comm::BitAssignmentOptions o;
      o.lambda = options_.lambda;
      o.group_size = options_.group_size;
      o.num_ranks = n;
      StatusOr<comm::BitAssignment> a = comm::AssignBits(channels[l], o);
      if (!a.ok()) {
        solved = a.status().WithPrefix("layer " + std::to_string(l));
        break;
      }
      objective += a->objective;
      for (size_t i = 0; i < channels[l].size(); ++i) {
        bits[l][channels[l][i].src][channels[l][i].dst] = std::move(a->channels[i].bits);
      }
    }
    report_.objective = objective;
    for (int s = 0; s < n; ++s) {
      Writer w;
      w.Put<uint8_t>(solved.ok() ? 1 : 0);
      if (!solved.ok()) {
        const std::string msg = solved.ToString();
        w.PutBytes(std::vector<uint8_t>(msg.begin(), msg.end()));
      } else {
        for (int64_t l = 1; l < num_layers_; ++l) {
          for (int q = 0; q < n; ++q) w.PutBytes(bits[l][s][q]);  // s -> q (forward)
          for (int q = 0; q < n; ++q) w.PutBytes(bits[l][q][s]);  // q -> s (its halo rows)
        }
      }
      down[s] = std::move(w.bytes);
    }
  }
  SG_RETURN_IF_ERROR(comm_->AllToAllV(down, &recv));

  // 3. Adopt the widths (a channel without messages keeps an empty list).
  Reader r(recv[0]);
  uint8_t ok = 0;
  if (!r.Get(&ok)) return Malformed("assignment");
  if (ok == 0) {
    std::vector<uint8_t> msg;
    r.GetBytes(&msg);
    return Status::Internal("adaptive bit widths (solved on rank 0): " +
                            std::string(msg.begin(), msg.end()));
  }
  int64_t rows = 0, bit_sum = 0;
  for (int64_t l = 1; l < num_layers_; ++l) {
    for (int pass = 0; pass < 2; ++pass) {
      for (int q = 0; q < n; ++q) {
        std::vector<uint8_t> b;
        if (!r.GetBytes(&b)) return Malformed("assignment");
        if (q == me) continue;
        comm::RowBits& target = pass == 0 ? forward_[l] : backward_[l];
        if (b.size() != target[q].size()) return Malformed("assignment (row count)");
        target[q] = std::move(b);
        if (pass == 0) {
          for (uint8_t x : target[q]) bit_sum += x;
          rows += static_cast<int64_t>(target[q].size());
        }
      }
    }
  }
  ++report_.assignments;
  report_.mean_bits = rows > 0 ? static_cast<double>(bit_sum) / static_cast<double>(rows) : 0;
  return Status::Ok();
}

}  // namespace streamgnn::trainers
