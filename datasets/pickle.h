// A reader for the subset of Python's pickle format that datasets are shipped in (Planetoid's
// ind.<name>.* files: Python 2 pickles, protocol 2, of NumPy arrays, SciPy CSR matrices and a
// defaultdict of lists), and the decoders of those objects.
//
// The reader runs pickle's stack machine over the bytes but imports nothing: a GLOBAL becomes a
// name ("numpy.core.multiarray._reconstruct"), REDUCE / NEWOBJ an instance holding that name and
// its arguments, BUILD sets the instance's state, SETITEMS / APPENDS on an instance fill its
// dict or list items (defaultdict, list subclasses). The decoders then read those instances by
// their names. Protocols 0-5's binary opcodes are read (the text opcodes of protocol 0 such as
// INT and STRING are not: Unimplemented naming the opcode); every length and memo index is
// checked, so a truncated or damaged file is a Corruption naming the file and byte offset,
// never a crash. LibTorch-free.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/status.h"

namespace streamgnn::datasets::pickle {

struct Object;
using Ref = std::shared_ptr<Object>;

struct Object {
  enum class Kind { kNone, kBool, kInt, kFloat, kBytes, kText, kTuple, kList, kDict, kGlobal, kInstance };
  Kind kind = Kind::kNone;
  int64_t integer = 0;  // kBool, kInt
  double real = 0;      // kFloat
  std::string text;     // kBytes, kText (UTF-8), kGlobal ("module.name")
  std::vector<Ref> items;                      // kTuple, kList; an instance's list items
  std::vector<std::pair<Ref, Ref>> entries;    // kDict; an instance's dict items
  Ref callable, args, state;                   // kInstance: REDUCE/NEWOBJ and BUILD
  int depth = 0;  // nesting below this object (bounded: see kMaxDepth)
  // Held by a container. Such an object is never changed again (APPEND, SETITEM, BUILD on it are
  // refused): so `depth` stays exact and no reference cycle can form. Pickles written by Python
  // fill each container before putting it in another; only self-referencing ones do otherwise.
  bool nested = false;

  // The instance's class or factory name ("" for other kinds).
  std::string ClassName() const;
  // kDict (or an instance's dict items): the value of the text key, or null.
  Ref Get(std::string_view key) const;
};

// Deeper nesting is refused as Corruption: destroying a deeper chain of objects would recurse
// past the stack (no dataset pickle nests more than a few levels).
inline constexpr int kMaxDepth = 1000;

// Runs the pickle in `bytes`; `source` names it in errors.
StatusOr<Ref> Parse(std::string_view bytes, const std::string& source);
// Reads the file and parses it.
StatusOr<Ref> ParseFile(const std::string& path);

// A NumPy array (numpy.core.multiarray._reconstruct + BUILD, as ndarray pickles itself),
// converted to doubles in C order. Little-endian or byte-order-free dtypes of kind f, i, u, b.
struct Array {
  std::vector<int64_t> shape;
  std::vector<double> values;
  int64_t rows() const { return shape.empty() ? 1 : shape[0]; }
  int64_t cols() const { return shape.size() < 2 ? 1 : shape[1]; }
};
// `what` names the object in errors ("<file>: x").
StatusOr<Array> ToArray(const Ref& object, const std::string& what);

// A SciPy CSR matrix (scipy.sparse.csr.csr_matrix or scipy.sparse._csr.csr_matrix, as pickled
// from its __dict__: _shape, indptr, indices, data).
struct Csr {
  int64_t rows = 0, cols = 0;
  std::vector<int64_t> indptr, indices;
  std::vector<double> data;
};
StatusOr<Csr> ToCsr(const Ref& object, const std::string& what);

// An integer: a Python int or bool, or a NumPy scalar (numpy.core.multiarray.scalar) of an integer
// dtype or of a float dtype holding an integral value.
StatusOr<int64_t> ToInt64(const Ref& object, const std::string& what);

// A dict (or defaultdict) from int to a list of ints.
StatusOr<std::vector<std::pair<int64_t, std::vector<int64_t>>>> ToIntListDict(
    const Ref& object, const std::string& what);

}  // namespace streamgnn::datasets::pickle
