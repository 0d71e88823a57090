#include "datasets/pickle.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <unordered_map>

#include "datasets/text_io.h"

namespace streamgnn::datasets::pickle {
namespace {

using Kind = Object::Kind;

Ref Make(Kind kind) {
  auto o = std::make_shared<Object>();
  o->kind = kind;
  return o;
}

Ref MakeInt(Kind kind, int64_t v) {
  Ref o = Make(kind);
  o->integer = v;
  return o;
}

Ref MakeText(Kind kind, std::string_view s) {
  Ref o = Make(kind);
  o->text = std::string(s);
  return o;
}

const char* KindName(Kind k) {
  switch (k) {
    case Kind::kNone: return "None";
    case Kind::kBool: return "bool";
    case Kind::kInt: return "int";
    case Kind::kFloat: return "float";
    case Kind::kBytes: return "bytes";
    case Kind::kText: return "str";
    case Kind::kTuple: return "tuple";
    case Kind::kList: return "list";
    case Kind::kDict: return "dict";
    case Kind::kGlobal: return "global";
    case Kind::kInstance: return "object";
  }
  return "?";
}

// What an object is, for errors: its class name or its kind.
std::string Describe(const Object& o) {
  if (o.kind == Kind::kInstance) return "a " + o.ClassName() + " object";
  return std::string("a ") + KindName(o.kind);
}

std::string Describe(const Ref& o) {
  if (o == nullptr) return "nothing";
  return Describe(*o);
}

// The stack machine. Each Step reads one opcode and its argument.
class Machine {
 public:
  Machine(std::string_view bytes, const std::string& source) : bytes_(bytes), source_(source) {}

  StatusOr<Ref> Run() {
    bool stop = false;
    while (!stop) {
      if (pos_ >= bytes_.size()) return Fail("the pickle ends without STOP");
      op_pos_ = pos_;
      SG_RETURN_IF_ERROR(Step(static_cast<uint8_t>(bytes_[pos_++]), &stop));
    }
    return Pop();
  }

 private:
  Status Fail(const std::string& what) const {
    return Status::Corruption(source_ + ": byte " + std::to_string(op_pos_) + ": " + what);
  }

  Status Read(uint64_t n, std::string_view* out) {
    if (n > bytes_.size() - pos_) return Fail("truncated (an argument runs past the end)");
    *out = bytes_.substr(pos_, n);
    pos_ += n;
    return Status::Ok();
  }

  // An unsigned little-endian integer of `width` bytes.
  Status ReadUint(int width, uint64_t* out) {
    std::string_view b;
    SG_RETURN_IF_ERROR(Read(static_cast<uint64_t>(width), &b));
    *out = 0;
    for (int i = width - 1; i >= 0; --i) *out = (*out << 8) | static_cast<uint8_t>(b[i]);
    return Status::Ok();
  }

  Status ReadLine(std::string_view* out) {
    const size_t end = bytes_.find('\n', pos_);
    if (end == std::string_view::npos) return Fail("truncated (a GLOBAL name without newline)");
    *out = bytes_.substr(pos_, end - pos_);
    pos_ = end + 1;
    return Status::Ok();
  }

  // A length-prefixed string of `width`-byte length as `kind`.
  Status PushCounted(int width, Kind kind) {
    uint64_t n = 0;
    SG_RETURN_IF_ERROR(ReadUint(width, &n));
    if (width == 4 && kind == Kind::kBytes && (n >> 31) != 0 && bytes_[op_pos_] == 'T') {
      return Fail("negative BINSTRING length");
    }
    std::string_view s;
    SG_RETURN_IF_ERROR(Read(n, &s));
    stack_.push_back(MakeText(kind, s));
    return Status::Ok();
  }

  // A little-endian two's-complement integer of n <= 8 bytes (LONG1 / LONG4).
  Status PushLong(int width) {
    uint64_t n = 0;
    SG_RETURN_IF_ERROR(ReadUint(width, &n));
    if (n > 8) return Status::Unimplemented(source_ + ": byte " + std::to_string(op_pos_) +
                                            ": integers wider than 64 bits are not supported");
    uint64_t v = 0;
    if (n > 0) SG_RETURN_IF_ERROR(ReadUint(static_cast<int>(n), &v));
    if (n > 0 && n < 8 && (v >> (8 * n - 1)) != 0) v |= ~uint64_t{0} << (8 * n);  // sign-extend
    stack_.push_back(MakeInt(Kind::kInt, static_cast<int64_t>(v)));
    return Status::Ok();
  }

  // Records that `parent` holds `child`; refuses nesting deeper than kMaxDepth and changes to an
  // object already held by another (see Object::nested), which is how a cycle would form.
  Status Nest(Object& parent, const Ref& child) const {
    if (parent.nested) {
      return Fail("changes " + Describe(parent) + " after it was put inside another object "
                  "(self-referencing pickles are not supported)");
    }
    if (child == nullptr) return Status::Ok();
    if (child.get() == &parent) return Fail("puts " + Describe(parent) + " inside itself");
    if (child->depth + 1 > kMaxDepth) return Fail("objects nested deeper than " + std::to_string(kMaxDepth));
    parent.depth = std::max(parent.depth, child->depth + 1);
    child->nested = true;
    return Status::Ok();
  }

  StatusOr<Ref> Pop() {
    if (stack_.empty() || (!marks_.empty() && stack_.size() <= marks_.back())) {
      return Fail("stack underflow");
    }
    Ref r = std::move(stack_.back());
    stack_.pop_back();
    return r;
  }

  StatusOr<Ref> Top() {
    if (stack_.empty()) return Fail("stack underflow");
    return stack_.back();
  }

  StatusOr<std::vector<Ref>> PopToMark() {
    if (marks_.empty()) return Fail("no MARK to pop to");
    const size_t m = marks_.back();
    marks_.pop_back();
    if (m > stack_.size()) return Fail("stack underflow below MARK");
    std::vector<Ref> items(std::make_move_iterator(stack_.begin() + static_cast<std::ptrdiff_t>(m)),
                           std::make_move_iterator(stack_.end()));
    stack_.resize(m);
    return items;
  }

  // A new tuple or list holding `items`, pushed.
  Status PushContainer(Kind kind, std::vector<Ref> items) {
    Ref c = Make(kind);
    for (const Ref& item : items) SG_RETURN_IF_ERROR(Nest(*c, item));
    c->items = std::move(items);
    stack_.push_back(std::move(c));
    return Status::Ok();
  }

  // TUPLE1..3: the top n values as a tuple.
  Status PushTuple(size_t n) {
    if (n > stack_.size()) return Fail("stack underflow");
    std::vector<Ref> items(stack_.end() - static_cast<std::ptrdiff_t>(n), stack_.end());
    stack_.resize(stack_.size() - n);
    return PushContainer(Kind::kTuple, std::move(items));
  }

  Status Append(std::vector<Ref> items) {
    SG_ASSIGN_OR_RETURN(Ref list, Top());
    if (list->kind != Kind::kList && list->kind != Kind::kInstance) {
      return Fail("APPEND to " + Describe(list));
    }
    for (Ref& r : items) {
      SG_RETURN_IF_ERROR(Nest(*list, r));
      list->items.push_back(std::move(r));
    }
    return Status::Ok();
  }

  Status SetItems(std::vector<Ref> items) {
    if (items.size() % 2 != 0) return Fail("SETITEMS with an odd number of values");
    SG_ASSIGN_OR_RETURN(Ref dict, Top());
    if (dict->kind != Kind::kDict && dict->kind != Kind::kInstance) {
      return Fail("SETITEM on " + Describe(dict));
    }
    for (size_t i = 0; i < items.size(); i += 2) {
      SG_RETURN_IF_ERROR(Nest(*dict, items[i]));
      SG_RETURN_IF_ERROR(Nest(*dict, items[i + 1]));
      dict->entries.emplace_back(items[i], items[i + 1]);
    }
    return Status::Ok();
  }

  Status Instance(Ref callable, Ref args) {
    if (callable->kind != Kind::kGlobal) return Fail("REDUCE/NEWOBJ of " + Describe(callable));
    if (args->kind != Kind::kTuple) return Fail("REDUCE/NEWOBJ with " + Describe(args) + " as arguments");
    Ref o = Make(Kind::kInstance);
    SG_RETURN_IF_ERROR(Nest(*o, args));
    o->callable = std::move(callable);
    o->args = std::move(args);
    stack_.push_back(std::move(o));
    return Status::Ok();
  }

  Status Put(uint64_t index) {
    SG_ASSIGN_OR_RETURN(Ref top, Top());
    memo_[index] = std::move(top);
    return Status::Ok();
  }

  Status Get(uint64_t index) {
    const auto it = memo_.find(index);
    if (it == memo_.end()) return Fail("memo entry " + std::to_string(index) + " was never stored");
    stack_.push_back(it->second);
    return Status::Ok();
  }

  Status Step(uint8_t op, bool* stop);

  std::string_view bytes_;
  const std::string& source_;
  size_t pos_ = 0, op_pos_ = 0;
  std::vector<Ref> stack_;
  std::vector<size_t> marks_;
  std::unordered_map<uint64_t, Ref> memo_;
};

Status Machine::Step(uint8_t op, bool* stop) {
  uint64_t u = 0;
  std::string_view s;
  switch (op) {
    case 0x80:  // PROTO
      SG_RETURN_IF_ERROR(ReadUint(1, &u));
      if (u > 5) return Fail("pickle protocol " + std::to_string(u) + " (at most 5 is known)");
      return Status::Ok();
    case 0x95:  // FRAME: a length hint only
      return ReadUint(8, &u);
    case '.':  // STOP
      *stop = true;
      return Status::Ok();
    case '(':  // MARK
      marks_.push_back(stack_.size());
      return Status::Ok();
    case '0':  // POP
      return Pop().status();
    case '1':  // POP_MARK
      return PopToMark().status();
    case '2': {  // DUP
      SG_ASSIGN_OR_RETURN(Ref top, Top());
      stack_.push_back(std::move(top));
      return Status::Ok();
    }
    case 'N':
      stack_.push_back(Make(Kind::kNone));
      return Status::Ok();
    case 0x88:  // NEWTRUE
    case 0x89:  // NEWFALSE
      stack_.push_back(MakeInt(Kind::kBool, op == 0x88 ? 1 : 0));
      return Status::Ok();
    case 'J':  // BININT: 4-byte signed
      SG_RETURN_IF_ERROR(ReadUint(4, &u));
      stack_.push_back(MakeInt(Kind::kInt, static_cast<int32_t>(static_cast<uint32_t>(u))));
      return Status::Ok();
    case 'K':  // BININT1
    case 'M':  // BININT2
      SG_RETURN_IF_ERROR(ReadUint(op == 'K' ? 1 : 2, &u));
      stack_.push_back(MakeInt(Kind::kInt, static_cast<int64_t>(u)));
      return Status::Ok();
    case 0x8a:  // LONG1
      return PushLong(1);
    case 0x8b:  // LONG4
      return PushLong(4);
    case 'G': {  // BINFLOAT: big-endian double
      SG_RETURN_IF_ERROR(Read(8, &s));
      uint64_t bits = 0;
      for (int i = 0; i < 8; ++i) bits = (bits << 8) | static_cast<uint8_t>(s[i]);
      Ref f = Make(Kind::kFloat);
      std::memcpy(&f->real, &bits, sizeof bits);
      stack_.push_back(std::move(f));
      return Status::Ok();
    }
    case 'T':  // BINSTRING (Python 2 str: bytes)
    case 'B':  // BINBYTES
      return PushCounted(4, Kind::kBytes);
    case 'U':  // SHORT_BINSTRING
    case 'C':  // SHORT_BINBYTES
      return PushCounted(1, Kind::kBytes);
    case 0x8e:  // BINBYTES8
    case 0x96:  // BYTEARRAY8
      return PushCounted(8, Kind::kBytes);
    case 'X':  // BINUNICODE
      return PushCounted(4, Kind::kText);
    case 0x8c:  // SHORT_BINUNICODE
      return PushCounted(1, Kind::kText);
    case 0x8d:  // BINUNICODE8
      return PushCounted(8, Kind::kText);
    case ')':
      stack_.push_back(Make(Kind::kTuple));
      return Status::Ok();
    case 't': {  // TUPLE
      SG_ASSIGN_OR_RETURN(std::vector<Ref> items, PopToMark());
      return PushContainer(Kind::kTuple, std::move(items));
    }
    case 0x85:
    case 0x86:
    case 0x87:  // TUPLE1..3
      return PushTuple(op - 0x84);
    case ']':
      stack_.push_back(Make(Kind::kList));
      return Status::Ok();
    case 'l': {  // LIST
      SG_ASSIGN_OR_RETURN(std::vector<Ref> items, PopToMark());
      return PushContainer(Kind::kList, std::move(items));
    }
    case 'a': {  // APPEND
      SG_ASSIGN_OR_RETURN(Ref v, Pop());
      return Append({std::move(v)});
    }
    case 'e': {  // APPENDS
      SG_ASSIGN_OR_RETURN(std::vector<Ref> items, PopToMark());
      return Append(std::move(items));
    }
    case '}':
      stack_.push_back(Make(Kind::kDict));
      return Status::Ok();
    case 'd': {  // DICT
      SG_ASSIGN_OR_RETURN(std::vector<Ref> items, PopToMark());
      stack_.push_back(Make(Kind::kDict));
      return SetItems(std::move(items));
    }
    case 's': {  // SETITEM
      SG_ASSIGN_OR_RETURN(Ref v, Pop());
      SG_ASSIGN_OR_RETURN(Ref k, Pop());
      return SetItems({std::move(k), std::move(v)});
    }
    case 'u': {  // SETITEMS
      SG_ASSIGN_OR_RETURN(std::vector<Ref> items, PopToMark());
      return SetItems(std::move(items));
    }
    case 'c': {  // GLOBAL module\nname\n
      std::string_view module, name;
      SG_RETURN_IF_ERROR(ReadLine(&module));
      SG_RETURN_IF_ERROR(ReadLine(&name));
      stack_.push_back(MakeText(Kind::kGlobal, std::string(module) + "." + std::string(name)));
      return Status::Ok();
    }
    case 0x93: {  // STACK_GLOBAL
      SG_ASSIGN_OR_RETURN(Ref name, Pop());
      SG_ASSIGN_OR_RETURN(Ref module, Pop());
      if (name->kind != Kind::kText || module->kind != Kind::kText) {
        return Fail("STACK_GLOBAL needs two str, got " + Describe(module) + " and " + Describe(name));
      }
      stack_.push_back(MakeText(Kind::kGlobal, module->text + "." + name->text));
      return Status::Ok();
    }
    case 'R':     // REDUCE
    case 0x81: {  // NEWOBJ
      SG_ASSIGN_OR_RETURN(Ref args, Pop());
      SG_ASSIGN_OR_RETURN(Ref callable, Pop());
      return Instance(std::move(callable), std::move(args));
    }
    case 0x92: {  // NEWOBJ_EX: keyword arguments are ignored
      SG_RETURN_IF_ERROR(Pop().status());
      SG_ASSIGN_OR_RETURN(Ref args, Pop());
      SG_ASSIGN_OR_RETURN(Ref cls, Pop());
      return Instance(std::move(cls), std::move(args));
    }
    case 'b': {  // BUILD
      SG_ASSIGN_OR_RETURN(Ref state, Pop());
      SG_ASSIGN_OR_RETURN(Ref target, Top());
      if (target->kind != Kind::kInstance) return Fail("BUILD on " + Describe(target));
      SG_RETURN_IF_ERROR(Nest(*target, state));
      target->state = std::move(state);
      return Status::Ok();
    }
    case 'q':  // BINPUT
      SG_RETURN_IF_ERROR(ReadUint(1, &u));
      return Put(u);
    case 'r':  // LONG_BINPUT
      SG_RETURN_IF_ERROR(ReadUint(4, &u));
      return Put(u);
    case 0x94:  // MEMOIZE
      return Put(memo_.size());
    case 'h':  // BINGET
      SG_RETURN_IF_ERROR(ReadUint(1, &u));
      return Get(u);
    case 'j':  // LONG_BINGET
      SG_RETURN_IF_ERROR(ReadUint(4, &u));
      return Get(u);
    default: {
      char hex[8];
      std::snprintf(hex, sizeof hex, "0x%02x", op);
      return Status::Unimplemented(source_ + ": byte " + std::to_string(op_pos_) + ": pickle opcode " +
                                   hex + " is not supported (binary protocols 2-5 are read)");
    }
  }
}

// ---- decoders ---------------------------------------------------------------------------------

Status Expected(const std::string& what, const std::string& expected, const Ref& got) {
  return Status::InvalidArgument(what + ": expected " + expected + ", got " + Describe(got));
}

bool IsInt(const Ref& o) { return o != nullptr && (o->kind == Kind::kInt || o->kind == Kind::kBool); }

// Raw bytes: bytes, or _codecs.encode(str, 'latin1') (how Python 3 pickles bytes at protocol 2).
StatusOr<std::string> BytesOf(const Ref& o, const std::string& what) {
  if (o != nullptr && o->kind == Kind::kBytes) return o->text;
  if (o != nullptr && o->kind == Kind::kInstance && o->ClassName() == "_codecs.encode" &&
      o->args->items.size() == 2 && o->args->items[0]->kind == Kind::kText) {
    std::string out;
    const std::string& t = o->args->items[0]->text;  // UTF-8 of code points < 256
    for (size_t i = 0; i < t.size(); ++i) {
      const auto c = static_cast<uint8_t>(t[i]);
      if (c < 0x80) {
        out.push_back(static_cast<char>(c));
      } else if ((c == 0xc2 || c == 0xc3) && i + 1 < t.size()) {
        out.push_back(static_cast<char>(((c & 0x03) << 6) | (static_cast<uint8_t>(t[++i]) & 0x3f)));
      } else {
        return Status::InvalidArgument(what + ": _codecs.encode text is not latin-1");
      }
    }
    return out;
  }
  return Expected(what, "bytes", o);
}

struct Dtype {
  char kind = 'f';
  int size = 4;
};

StatusOr<Dtype> DtypeOf(const Ref& o, const std::string& what) {
  if (o == nullptr || o->kind != Kind::kInstance || o->ClassName() != "numpy.dtype" ||
      o->args->items.empty() || o->args->items[0]->kind == Kind::kNone) {
    return Expected(what, "a numpy.dtype", o);
  }
  const std::string& descr = o->args->items[0]->text;  // "f4", "i8", "b1", ...
  Dtype d;
  if (descr.size() == 2 && std::strchr("fiub", descr[0]) != nullptr && std::strchr("1248", descr[1]) != nullptr) {
    d.kind = descr[0];
    d.size = descr[1] - '0';
  } else {
    return Status::Unimplemented(what + ": dtype '" + descr + "' (numeric f, i, u, b dtypes are read)");
  }
  if (d.kind == 'f' && d.size < 4) return Status::Unimplemented(what + ": float16 arrays are not read");
  const Ref& st = o->state;
  if (st != nullptr && st->kind == Kind::kTuple && st->items.size() > 1 &&
      st->items[1]->kind != Kind::kNone && st->items[1]->text == ">") {
    return Status::Unimplemented(what + ": big-endian arrays are not read");
  }
  return d;
}

double ElementAt(const char* p, const Dtype& d) {
  switch (d.kind) {
    case 'f': {
      if (d.size == 4) { float v; std::memcpy(&v, p, 4); return v; }
      double v; std::memcpy(&v, p, 8); return v;
    }
    case 'i': {
      int64_t v = 0;
      if (d.size == 1) { int8_t x; std::memcpy(&x, p, 1); v = x; }
      if (d.size == 2) { int16_t x; std::memcpy(&x, p, 2); v = x; }
      if (d.size == 4) { int32_t x; std::memcpy(&x, p, 4); v = x; }
      if (d.size == 8) std::memcpy(&v, p, 8);
      return static_cast<double>(v);
    }
    default: {  // 'u', 'b'
      uint64_t v = 0;
      std::memcpy(&v, p, static_cast<size_t>(d.size));  // little-endian host
      return static_cast<double>(v);
    }
  }
}

}  // namespace

std::string Object::ClassName() const {
  if (kind != Kind::kInstance || callable == nullptr) return "";
  return callable->text;
}

Ref Object::Get(std::string_view key) const {
  for (const auto& [k, v] : entries) {
    if ((k->kind == Kind::kText || k->kind == Kind::kBytes) && k->text == key) return v;
  }
  return nullptr;
}

StatusOr<Ref> Parse(std::string_view bytes, const std::string& source) {
  return Machine(bytes, source).Run();
}

StatusOr<Ref> ParseFile(const std::string& path) {
  SG_ASSIGN_OR_RETURN(const std::string bytes, internal::ReadWholeFile(path));
  return Parse(bytes, path);
}

namespace {

// The parts of a pickled ndarray, whichever way it was pickled.
struct ArrayParts {
  Ref shape, dtype, data;
  bool fortran = false;
};

StatusOr<ArrayParts> PartsOf(const Ref& o, const std::string& what) {
  const std::string cls = o == nullptr ? "" : o->ClassName();
  ArrayParts p;
  if (cls == "numpy.core.numeric._frombuffer" || cls == "numpy._core.numeric._frombuffer") {
    // Protocol 5: _frombuffer(buffer, dtype, shape, order).
    const std::vector<Ref>& a = o->args->items;
    if (a.size() != 4) return Expected(what, "_frombuffer(buffer, dtype, shape, order)", o->args);
    p = {a[2], a[1], a[0], a[3]->kind == Kind::kText && a[3]->text == "F"};
    return p;
  }
  if (cls != "numpy.core.multiarray._reconstruct" && cls != "numpy._core.multiarray._reconstruct") {
    return Expected(what, "a NumPy array", o);
  }
  const Ref& st = o->state;
  // ndarray.__setstate__: (version, shape, dtype, is_fortran, data) or without the version.
  if (st == nullptr || st->kind != Kind::kTuple || (st->items.size() != 5 && st->items.size() != 4)) {
    return Expected(what, "an ndarray state tuple", st);
  }
  const size_t b = st->items.size() - 4;
  p = {st->items[b], st->items[b + 1], st->items[b + 3], IsInt(st->items[b + 2]) && st->items[b + 2]->integer != 0};
  return p;
}

}  // namespace

StatusOr<Array> ToArray(const Ref& o, const std::string& what) {
  SG_ASSIGN_OR_RETURN(const ArrayParts parts, PartsOf(o, what));
  const Ref& shape = parts.shape;
  if (shape->kind != Kind::kTuple) return Expected(what + " shape", "a tuple", shape);
  SG_ASSIGN_OR_RETURN(const Dtype dtype, DtypeOf(parts.dtype, what));
  const bool fortran = parts.fortran;
  SG_ASSIGN_OR_RETURN(const std::string data, BytesOf(parts.data, what + " data"));
  Array a;
  uint64_t count = 1;
  for (const Ref& dim : shape->items) {
    if (!IsInt(dim) || dim->integer < 0) return Expected(what + " shape", "non-negative ints", dim);
    a.shape.push_back(dim->integer);
    count *= static_cast<uint64_t>(dim->integer);
    if (count > data.size()) break;  // caught below, before any overflow
  }
  if (count * static_cast<uint64_t>(dtype.size) != data.size()) {
    return Status::Corruption(what + ": " + std::to_string(data.size()) + " data bytes do not hold the shape's " +
                              "elements of " + std::to_string(dtype.size) + " bytes");
  }
  if (fortran && a.shape.size() > 2) return Status::Unimplemented(what + ": Fortran-order arrays of more than 2 dimensions");
  a.values.resize(count);
  const int64_t rows = a.rows(), cols = a.cols();
  for (uint64_t i = 0; i < count; ++i) {
    // Fortran order: element i is (i % rows, i / rows).
    const uint64_t at = fortran && a.shape.size() == 2
                            ? (i % static_cast<uint64_t>(rows)) * static_cast<uint64_t>(cols) + i / static_cast<uint64_t>(rows)
                            : i;
    a.values[at] = ElementAt(data.data() + i * static_cast<uint64_t>(dtype.size), dtype);
  }
  return a;
}

StatusOr<Csr> ToCsr(const Ref& o, const std::string& what) {
  const std::string cls = o == nullptr ? "" : o->ClassName();
  if (cls.rfind("scipy.sparse", 0) != 0 || cls.size() < 10 || cls.compare(cls.size() - 10, 10, "csr_matrix") != 0) {
    return Expected(what, "a scipy.sparse csr_matrix", o);
  }
  const Ref& st = o->state;
  if (st == nullptr || st->kind != Kind::kDict) return Expected(what + " state", "a dict", st);
  Ref shape = st->Get("_shape");
  if (shape == nullptr) shape = st->Get("shape");
  if (shape == nullptr || shape->kind != Kind::kTuple || shape->items.size() != 2 || !IsInt(shape->items[0]) ||
      !IsInt(shape->items[1]) || shape->items[0]->integer < 0 || shape->items[1]->integer < 0) {
    return Expected(what + " _shape", "a tuple of two non-negative ints", shape);
  }
  Csr m;
  m.rows = shape->items[0]->integer;
  m.cols = shape->items[1]->integer;
  SG_ASSIGN_OR_RETURN(const Array indptr, ToArray(st->Get("indptr"), what + " indptr"));
  SG_ASSIGN_OR_RETURN(const Array indices, ToArray(st->Get("indices"), what + " indices"));
  SG_ASSIGN_OR_RETURN(Array data, ToArray(st->Get("data"), what + " data"));
  if (static_cast<int64_t>(indptr.values.size()) != m.rows + 1 || indptr.values[0] != 0 ||
      indices.values.size() != data.values.size() ||
      indptr.values.back() != static_cast<double>(indices.values.size())) {
    return Status::Corruption(what + ": indptr, indices and data do not describe a " + std::to_string(m.rows) +
                              "-row CSR matrix");
  }
  for (const Array* a : {&indptr, &indices}) {
    for (const double v : a->values) {
      if (!(v == std::floor(v) && std::fabs(v) < 4.6e18)) return Status::Corruption(what + ": a non-integer index");
    }
  }
  m.indptr.assign(indptr.values.begin(), indptr.values.end());
  m.indices.assign(indices.values.begin(), indices.values.end());
  for (int64_t r = 0; r < m.rows; ++r) {
    if (m.indptr[r + 1] < m.indptr[r]) return Status::Corruption(what + ": indptr decreases at row " + std::to_string(r));
  }
  for (const int64_t c : m.indices) {
    if (c < 0 || c >= m.cols) {
      return Status::Corruption(what + ": column " + std::to_string(c) + " outside [0, " + std::to_string(m.cols) + ")");
    }
  }
  m.data = std::move(data.values);
  return m;
}

StatusOr<int64_t> ToInt64(const Ref& o, const std::string& what) {
  if (IsInt(o)) return o->integer;
  const std::string cls = o == nullptr ? "" : o->ClassName();
  if ((cls == "numpy.core.multiarray.scalar" || cls == "numpy._core.multiarray.scalar") &&
      o->args->items.size() == 2) {
    SG_ASSIGN_OR_RETURN(const Dtype dtype, DtypeOf(o->args->items[0], what));
    SG_ASSIGN_OR_RETURN(const std::string data, BytesOf(o->args->items[1], what));
    if (data.size() != static_cast<size_t>(dtype.size)) {
      return Status::Corruption(what + ": a " + std::to_string(dtype.size) + "-byte scalar holds " +
                                std::to_string(data.size()) + " bytes");
    }
    if (dtype.kind == 'i' && dtype.size == 8) {
      int64_t v;
      std::memcpy(&v, data.data(), 8);
      return v;  // exact beyond 2^53
    }
    const double v = ElementAt(data.data(), dtype);
    if (v == std::floor(v) && std::fabs(v) < 9.2e18) return static_cast<int64_t>(v);
    return Status::InvalidArgument(what + ": expected an integer, got " + std::to_string(v));
  }
  return Expected(what, "an integer", o);
}

StatusOr<std::vector<std::pair<int64_t, std::vector<int64_t>>>> ToIntListDict(const Ref& o,
                                                                               const std::string& what) {
  if (o == nullptr || (o->kind != Kind::kDict && o->ClassName() != "collections.defaultdict")) {
    return Expected(what, "a dict of lists", o);
  }
  std::vector<std::pair<int64_t, std::vector<int64_t>>> out;
  out.reserve(o->entries.size());
  for (const auto& [k, v] : o->entries) {
    if (!IsInt(k)) return Expected(what + " key", "an int", k);
    if (v->kind != Kind::kList) return Expected(what + "[" + std::to_string(k->integer) + "]", "a list", v);
    std::vector<int64_t> list;
    list.reserve(v->items.size());
    for (const Ref& x : v->items) {
      if (!IsInt(x)) return Expected(what + "[" + std::to_string(k->integer) + "] item", "an int", x);
      list.push_back(x->integer);
    }
    out.emplace_back(k->integer, std::move(list));
  }
  return out;
}

}  // namespace streamgnn::datasets::pickle
