// CudaSpmm (cuSPARSE) against a plain CPU product.
#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "graph/spmm_cuda.h"
#include "tests/gpu/gpu_test_util.h"

namespace streamgnn::graph {
namespace {

TEST(CudaSpmm, MatchesCpuProduct) {
  SG_REQUIRE_GPU();
  auto spmm = CudaSpmm::Create();
  ASSERT_TRUE(spmm.ok()) << spmm.status().ToString();
  std::mt19937_64 gen(3);
  std::uniform_real_distribution<float> unif(-1.0f, 1.0f);
  for (bool weighted : {true, false}) {
    const int64_t rows = 300, cols = 200, dim = 19;
    std::vector<int64_t> offsets = {0}, indices;
    std::vector<float> values;
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t deg = r % 17 == 0 ? 0 : static_cast<int64_t>(gen() % 12);  // empty rows too
      for (int64_t e = 0; e < deg; ++e) {
        indices.push_back(static_cast<int64_t>(gen() % cols));
        if (weighted) values.push_back(unif(gen));
      }
      offsets.push_back(static_cast<int64_t>(indices.size()));
    }
    std::vector<float> x(cols * dim);
    for (float& v : x) v = unif(gen);
    auto y = (*spmm)->MultiplyHost(rows, cols, offsets, indices, values, x, dim);
    ASSERT_TRUE(y.ok()) << y.status().ToString();
    for (int64_t r = 0; r < rows; ++r) {
      for (int64_t c = 0; c < dim; ++c) {
        double want = 0;
        for (int64_t e = offsets[r]; e < offsets[r + 1]; ++e) {
          want += (weighted ? values[e] : 1.0f) * x[indices[e] * dim + c];
        }
        ASSERT_NEAR((*y)[r * dim + c], want, 1e-4) << "row " << r << " col " << c;
      }
    }
  }
  const std::vector<int64_t> bad_offsets = {0, 2};
  EXPECT_EQ((*spmm)->MultiplyHost(1, 2, bad_offsets, {0}, {}, std::vector<float>(2), 1).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ((*spmm)->MultiplyHost(1, 2, {0, 1}, {5}, {}, std::vector<float>(2), 1).status().code(),
            StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace streamgnn::graph
