package lenient

import (
	"bytes"
	"encoding/json"
	"reflect"
	"unicode/utf8"
)

// decodeFast is Decode's first attempt: one pass over data that fills v
// straight from the bytes, without encoding/json's tokens and the copy of
// every value they cost. It takes what well-behaved peers send: a valid
// JSON object whose keys match a field (any spelling normalizeKey
// accepts), each once, whose values have their field's JSON type (strings
// for strings, integers for integers, objects, arrays, null), with unknown
// keys skipped. It reports false at the first thing it does not handle
// that way (a number for an integer sent as a string, a duplicate, a
// syntax error, ...) and Decode then decodes the whole input again with
// decodeStruct, which has the last word on every value and every error:
// the fast path never fails, it only gives up. Where it succeeds its
// result is decodeStruct's (FuzzFastPath checks that).
func decodeFast(data []byte, v reflect.Value) bool {
	s := scanner{data: data}
	s.space()
	if !s.object(v, fieldsOf(v.Type()), 0) {
		return false
	}
	s.space()
	return s.i == len(s.data)
}

// maxFastDepth bounds the nesting the fast path follows; deeper input goes
// to the general path, which has encoding/json's own limit.
const maxFastDepth = 100

type scanner struct {
	data []byte
	i    int
}

// space skips JSON white space.
func (s *scanner) space() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// next is the byte at the cursor, 0 at the end.
func (s *scanner) next() byte {
	if s.i < len(s.data) {
		return s.data[s.i]
	}
	return 0
}

// consume skips c if it is at the cursor.
func (s *scanner) consume(c byte) bool {
	if s.next() != c {
		return false
	}
	s.i++
	return true
}

// object decodes a JSON object into the struct v whose fields are fs.
func (s *scanner) object(v reflect.Value, fs *fieldSet, depth int) bool {
	if depth > maxFastDepth || len(fs.list) > 64 || !s.consume('{') {
		return false
	}
	var seen uint64 // fields set so far, by index in fs.list
	s.space()
	if s.consume('}') {
		return true
	}
	for {
		s.space()
		key, escaped, ok := s.str()
		if !ok || escaped {
			return false
		}
		s.space()
		if !s.consume(':') {
			return false
		}
		s.space()
		if i, known := fs.lookup(key); !known {
			if !s.skip(depth + 1) {
				return false
			}
		} else {
			if seen&(1<<i) != 0 {
				return false // sent twice: decodeStruct says so
			}
			seen |= 1 << i
			f := &fs.list[i]
			fv := v.FieldByIndex(f.index)
			if !s.value(fv, f.unmarshaler, depth+1) {
				return false
			}
			if f.trim {
				trimStrings(fv)
			}
		}
		s.space()
		if s.consume('}') {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}

// lookup finds the field key names, normalized as normalizeKey does but
// without allocating.
func (fs *fieldSet) lookup(key []byte) (int, bool) {
	key = bytes.TrimSpace(key)
	var buf [64]byte
	if len(key) > len(buf) {
		return 0, false // longer than any json name
	}
	for j, c := range key {
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[j] = c
	}
	i, ok := fs.byKey[string(buf[:len(key)])]
	return i, ok
}

// value decodes the JSON value at the cursor into v, which is zero (a
// fresh value), the way decodeValue would.
func (s *scanner) value(v reflect.Value, unmarshaler bool, depth int) bool {
	if unmarshaler {
		start := s.i
		if !s.skip(depth) {
			return false
		}
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(s.data[start:s.i]) == nil
	}
	if s.literal("null") {
		return true // String, Int, struct, pointer and slice: zero
	}
	switch v.Kind() {
	case reflect.String:
		return s.stringValue(v)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		n, ok := s.integer()
		if !ok || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
		return true
	case reflect.Struct:
		return s.object(v, fieldsOf(v.Type()), depth)
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if !s.value(elem.Elem(), isUnmarshaler(v.Type().Elem()), depth) {
			return false
		}
		v.Set(elem)
		return true
	case reflect.Slice:
		return s.array(v, depth)
	}
	return false
}

func isUnmarshaler(t reflect.Type) bool { return reflect.PointerTo(t).Implements(unmarshalerType) }

// stringValue decodes a string, or a number kept as its literal text, into
// the string v.
func (s *scanner) stringValue(v reflect.Value) bool {
	start := s.i
	if c := s.next(); c == '-' || '0' <= c && c <= '9' {
		if !s.number() {
			return false
		}
		v.SetString(string(s.data[start:s.i]))
		return true
	}
	content, escaped, ok := s.str()
	if !ok {
		return false
	}
	if !escaped {
		v.SetString(string(content))
		return true
	}
	var text string
	if json.Unmarshal(s.data[start:s.i], &text) != nil {
		return false
	}
	v.SetString(text)
	return true
}

// array decodes a JSON array into the slice v.
func (s *scanner) array(v reflect.Value, depth int) bool {
	if depth > maxFastDepth || !s.consume('[') {
		return false
	}
	unmarshaler := isUnmarshaler(v.Type().Elem())
	out := reflect.MakeSlice(v.Type(), 0, 0)
	n := 0
	s.space()
	if !s.consume(']') {
		for {
			if n == out.Len() {
				grown := reflect.MakeSlice(v.Type(), max(4, 2*n), max(4, 2*n))
				reflect.Copy(grown, out)
				out = grown
			}
			s.space()
			if !s.value(out.Index(n), unmarshaler, depth+1) {
				return false
			}
			n++
			s.space()
			if s.consume(']') {
				break
			}
			if !s.consume(',') {
				return false
			}
		}
	}
	v.Set(out.Slice3(0, n, n))
	return true
}

// str reads a JSON string, returning what is between the quotes and
// whether it holds escapes; it refuses control characters and invalid
// UTF-8, which encoding/json would reject or replace.
func (s *scanner) str() (content []byte, escaped, ok bool) {
	if !s.consume('"') {
		return nil, false, false
	}
	start := s.i
	ascii := true
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			content = s.data[start:s.i]
			s.i++
			return content, escaped, ascii || utf8.Valid(content)
		case c == '\\':
			escaped = true
			if !s.escape() {
				return nil, false, false
			}
			continue
		case c < 0x20:
			return nil, false, false
		case c >= 0x80:
			ascii = false
		}
		s.i++
	}
	return nil, false, false
}

// escape checks the escape sequence at the cursor and skips it.
func (s *scanner) escape() bool {
	if s.i+1 >= len(s.data) {
		return false
	}
	switch s.data[s.i+1] {
	case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
		s.i += 2
		return true
	case 'u':
		if s.i+6 > len(s.data) {
			return false
		}
		for _, c := range s.data[s.i+2 : s.i+6] {
			if !isHex(c) {
				return false
			}
		}
		s.i += 6
		return true
	}
	return false
}

func isHex(c byte) bool { return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F' }

// number skips a JSON number.
func (s *scanner) number() bool {
	s.consume('-')
	if !s.consume('0') && !s.digits() {
		return false
	}
	if s.consume('.') && !s.digits() {
		return false
	}
	if s.consume('e') || s.consume('E') {
		if !s.consume('+') {
			s.consume('-')
		}
		if !s.digits() {
			return false
		}
	}
	return true
}

// digits skips one or more decimal digits.
func (s *scanner) digits() bool {
	start := s.i
	for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
		s.i++
	}
	return s.i > start
}

// integer reads a JSON number that is an integer within int64; anything
// else (fractions, exponents, overflow) is left to the general path.
func (s *scanner) integer() (int64, bool) {
	neg := s.consume('-')
	start := s.i
	if !s.consume('0') && !s.digits() {
		return 0, false
	}
	if c := s.next(); c == '.' || c == 'e' || c == 'E' || s.i-start > 18 {
		return 0, false // 18 digits always fit
	}
	var n int64
	for _, c := range s.data[start:s.i] {
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// literal skips word (null, true, false) if it is at the cursor.
func (s *scanner) literal(word string) bool {
	if !bytes.HasPrefix(s.data[s.i:], []byte(word)) {
		return false
	}
	s.i += len(word)
	return true
}

// skip checks and skips any JSON value.
func (s *scanner) skip(depth int) bool {
	if depth > maxFastDepth {
		return false
	}
	switch c := s.next(); {
	case c == '"':
		_, _, ok := s.str()
		return ok
	case c == '-' || '0' <= c && c <= '9':
		return s.number()
	case c == '{':
		return s.skipContainer('}', depth, true)
	case c == '[':
		return s.skipContainer(']', depth, false)
	}
	return s.literal("null") || s.literal("true") || s.literal("false")
}

// skipContainer skips an object (keyed) or an array ending with end.
func (s *scanner) skipContainer(end byte, depth int, keyed bool) bool {
	s.i++
	s.space()
	if s.consume(end) {
		return true
	}
	for {
		s.space()
		if keyed {
			if _, _, ok := s.str(); !ok {
				return false
			}
			s.space()
			if !s.consume(':') {
				return false
			}
			s.space()
		}
		if !s.skip(depth + 1) {
			return false
		}
		s.space()
		if s.consume(end) {
			return true
		}
		if !s.consume(',') {
			return false
		}
	}
}
