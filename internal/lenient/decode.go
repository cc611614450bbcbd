package lenient

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync"
)

// Decode fills the struct that v points to from the JSON object data, with
// the leniency of docs/PROTOCOL.md §4:
//
//   - keys match the struct's json names after trimming surrounding white
//     space and ignoring ASCII case ("fileID ", "messagetype");
//   - a field may also list other accepted spellings in an `alias` tag,
//     comma-separated (`json:"delateMembers" alias:"deleteMembers"`);
//   - a field tagged `lenient:"trim"` (ids, which can't hold white space)
//     has surrounding white space removed from its string values, so the
//     source's sample " vrv-linkdood " reads as "vrv-linkdood";
//   - unknown keys are ignored;
//   - a key that maps to a field already set (exact repeat or another
//     spelling) is an error: the sender was ambiguous and two parsers could
//     read two different messages from one signed body;
//   - string fields accept numbers, integer fields accept decimal strings,
//     null leaves the zero value (see String and Int);
//   - nested structs, pointers to structs and slices are decoded the same way
//     recursively; a field whose type implements json.Unmarshaler decodes
//     itself.
//
// Errors are *FieldError values naming the path of the offending field; on
// error *v is unchanged, on success it is replaced (not merged into).
//
// Input that is well-formed and whose values have their fields' JSON types
// (what peers send nearly always) is decoded in one pass by decodeFast;
// anything else is decoded again from the start by the general path, which
// alone decides every error. Both give the same result (FuzzFastPath).
// Types call Decode from their UnmarshalJSON; Decode never calls v's own
// UnmarshalJSON, so there is no recursion.
func Decode(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
		return fmt.Errorf("lenient.Decode needs a non-nil pointer to a struct, got %T", v)
	}
	// Decode into a fresh value so that v is replaced whole on success and
	// left untouched on error. Most input takes the fast path; whatever it
	// gives up on is decoded again, from scratch, by the general one.
	fresh := reflect.New(rv.Elem().Type()).Elem()
	if !fastPath || !decodeFast(data, fresh) {
		fresh = reflect.New(rv.Elem().Type()).Elem()
		if err := decodeStruct(data, fresh); err != nil {
			return err
		}
	}
	rv.Elem().Set(fresh)
	return nil
}

func decodeStruct(data []byte, v reflect.Value) error {
	data = bytes.TrimSpace(data)
	if k := kind(data); k == "null" {
		v.SetZero()
		return nil
	} else if k != "object" {
		return Errorf("", "want an object, got "+k)
	}
	fields := fieldsOf(v.Type())
	dec := json.NewDecoder(bytes.NewReader(data))
	if _, err := dec.Token(); err != nil { // the opening brace
		return Errorf("", "malformed JSON: "+err.Error())
	}
	v.SetZero()
	seen := make(map[int]string)
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return Errorf("", "malformed JSON: "+err.Error())
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return Errorf("", "malformed JSON: "+err.Error())
		}
		i, ok := fields.byKey[normalizeKey(key)]
		if !ok {
			continue
		}
		f := fields.list[i]
		if first, dup := seen[i]; dup {
			return Errorf(f.name, fmt.Sprintf("sent twice (as %q and %q): send each field once", first, key))
		}
		seen[i] = key
		fv := v.FieldByIndex(f.index)
		if err := decodeValue(raw, fv); err != nil {
			return Within(f.name, err)
		}
		if f.trim {
			trimStrings(fv)
		}
	}
	if _, err := dec.Token(); err != nil { // the closing brace
		return Errorf("", "malformed JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return Errorf("", "trailing data after the JSON object")
	}
	return nil
}

// fastPath is off only in the differential fuzz test, which compares the
// two paths over whole wire types (nested types decode through Decode too).
var fastPath = true

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

func decodeValue(raw json.RawMessage, v reflect.Value) error {
	if isUnmarshaler(v.Type()) {
		return v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw)
	}
	switch v.Kind() {
	case reflect.String:
		var s String
		if err := s.UnmarshalJSON(raw); err != nil {
			return err
		}
		v.SetString(string(s))
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var n Int
		if err := n.UnmarshalJSON(raw); err != nil {
			return err
		}
		if v.OverflowInt(int64(n)) {
			return fmt.Errorf("%d is out of range", n)
		}
		v.SetInt(int64(n))
	case reflect.Struct:
		return decodeStruct(raw, v)
	case reflect.Pointer:
		if kind(bytes.TrimSpace(raw)) == "null" {
			v.SetZero()
			return nil
		}
		elem := reflect.New(v.Type().Elem())
		if err := decodeValue(raw, elem.Elem()); err != nil {
			return err
		}
		v.Set(elem)
	case reflect.Slice:
		return decodeSlice(raw, v)
	default:
		if err := json.Unmarshal(raw, v.Addr().Interface()); err != nil {
			return errors.New(strings.TrimPrefix(err.Error(), "json: "))
		}
	}
	return nil
}

func decodeSlice(raw json.RawMessage, v reflect.Value) error {
	switch k := kind(bytes.TrimSpace(raw)); k {
	case "null":
		v.SetZero()
		return nil
	case "array":
	default:
		return fmt.Errorf("want an array, got %s", k)
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil {
		return err
	}
	out := reflect.MakeSlice(v.Type(), len(items), len(items))
	for i, item := range items {
		if err := decodeValue(item, out.Index(i)); err != nil {
			return Within(fmt.Sprintf("[%d]", i), err)
		}
	}
	v.Set(out)
	return nil
}

// normalizeKey trims white space and folds ASCII case only: the json names
// are ASCII, and Unicode folding would let look-alikes (the Kelvin sign for
// "k") match, which encoding/json does and we don't want.
func normalizeKey(k string) string {
	k = strings.TrimSpace(k)
	b := []byte(k)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

type field struct {
	name        string // the emitted json name
	index       []int
	trim        bool // `lenient:"trim"`
	unmarshaler bool // the field's type decodes itself
}

type fieldSet struct {
	list  []field
	byKey map[string]int // normalized name or alias -> index in list
}

var fieldCache sync.Map // reflect.Type -> *fieldSet

func fieldsOf(t reflect.Type) *fieldSet {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(*fieldSet)
	}
	fs := &fieldSet{byKey: make(map[string]int)}
	collect(t, nil, fs)
	fieldCache.Store(t, fs)
	return fs
}

// collect walks exported fields, flattening untagged embedded structs the way
// encoding/json does (an embedded Envelope contributes code and error). A
// name already taken by a shallower field wins, as in encoding/json.
func collect(t reflect.Type, prefix []int, fs *fieldSet) {
	for i := range t.NumField() {
		sf := t.Field(i)
		index := append(append([]int(nil), prefix...), i)
		tag := sf.Tag.Get("json")
		if sf.Anonymous && tag == "" && sf.Type.Kind() == reflect.Struct {
			collect(sf.Type, index, fs)
			continue
		}
		if !sf.IsExported() || tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if name == "" {
			name = sf.Name
		}
		names := []string{name}
		if alias := sf.Tag.Get("alias"); alias != "" {
			names = append(names, strings.Split(alias, ",")...)
		}
		fs.list = append(fs.list, field{name: name, index: index, trim: sf.Tag.Get("lenient") == "trim", unmarshaler: isUnmarshaler(sf.Type)})
		for _, n := range names {
			key := normalizeKey(n)
			if old, taken := fs.byKey[key]; taken && len(fs.list[old].index) <= len(index) {
				continue
			}
			fs.byKey[key] = len(fs.list) - 1
		}
	}
}

// trimStrings trims a string, or the strings of a slice or pointer.
func trimStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(strings.TrimSpace(v.String()))
	case reflect.Pointer:
		if !v.IsNil() {
			trimStrings(v.Elem())
		}
	case reflect.Slice:
		for i := range v.Len() {
			trimStrings(v.Index(i))
		}
	}
}

// Unmarshal decodes data into v as json.Unmarshal does, but hands it
// straight to v's own UnmarshalJSON when v has one (every wire type),
// sparing encoding/json's scan of the whole input before that call: a
// directory answer is megabytes. Malformed JSON is then reported by v's
// decoder.
func Unmarshal(data []byte, v any) error {
	if u, ok := v.(json.Unmarshaler); ok {
		return u.UnmarshalJSON(data)
	}
	return json.Unmarshal(data, v)
}
