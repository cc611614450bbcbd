package wire

import (
	"strings"
	"testing"
)

func TestParseAddressGood(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want Address
		str  string
	}{
		{"13500001111@abc", Address{Local: "13500001111", ServerID: "abc"}, ""},
		{"u@vrv_linkdood", Address{Local: "u", ServerID: "vrv_linkdood"}, ""},
		{"u@center-im", Address{Local: "u", ServerID: "center-im"}, ""},
		{"file.v1.png@abc", Address{Local: "file.v1.png", ServerID: "abc"}, ""},
		{"张三@abc", Address{Local: "张三", ServerID: "abc"}, ""},
		{"13500001111@abc.vrv.com:443", Address{Local: "13500001111", Host: "abc.vrv.com", Port: 443}, ""},
		{"u@ABC.Example.COM:8443", Address{Local: "u", Host: "abc.example.com", Port: 8443}, "u@abc.example.com:8443"},
		{"u@localhost:1", Address{Local: "u", Host: "localhost", Port: 1}, ""},
		{"u@127.0.0.1:65535", Address{Local: "u", Host: "127.0.0.1", Port: 65535}, ""},
		{"u@[::1]:443", Address{Local: "u", Host: "::1", Port: 443}, ""},
		{"u@[2001:DB8:0:0::1]:443", Address{Local: "u", Host: "2001:db8::1", Port: 443}, "u@[2001:db8::1]:443"},
		{"u@x-1.y2:80", Address{Local: "u", Host: "x-1.y2", Port: 80}, ""},
	} {
		got, err := ParseAddress(tc.in)
		if err != nil {
			t.Errorf("%s: %v", tc.in, err)
			continue
		}
		if got != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.in, got, tc.want)
		}
		want := tc.str
		if want == "" {
			want = tc.in
		}
		if got.String() != want {
			t.Errorf("%s: String() = %q, want %q", tc.in, got.String(), want)
		}
		if got.IsDirectory() != (tc.want.ServerID != "") {
			t.Errorf("%s: IsDirectory() = %v", tc.in, got.IsDirectory())
		}
	}
}

func TestParseAddressBad(t *testing.T) {
	for _, tc := range []struct{ in, err string }{
		{"", `id "" has no '@'`},
		{"abc", `id "abc" has no '@'`},
		{"@abc", `id "@abc": empty local part before '@'`},
		{"u@", `id "u@": empty serverId`},
		{"a@b@c", `id "a@b@c" has more than one '@'`},
		{"../etc@abc", `local part starts with '.'`},
		{".hidden@abc", `local part starts with '.'`},
		{"a..b@abc", `local part contains '..'`},
		{"a/b@abc", `local part contains a path separator`},
		{`a\b@abc`, `local part contains a path separator`},
		{"a\x00b@abc", `control or space character U+0000`},
		{"a\nb@abc", `control or space character U+000A`},
		{"a\x7fb@abc", `control or space character U+007F`},
		{"a b@abc", `control or space character U+0020`},
		{"a\u2028b@abc", `control or space character U+2028`},
		{"\xff@abc", `local part is not valid UTF-8`},
		{strings.Repeat("x", 257) + "@abc", `local part longer than 256 bytes`},
		{"u@ab c", `bad serverId "ab c"`},
		{"u@" + strings.Repeat("s", 65), `bad serverId`},
		{"u@abc.vrv.com", `port required`},
		{"u@abc:", `bad port ""`},
		{"u@abc:0", `bad port "0"`},
		{"u@abc:65536", `bad port "65536"`},
		{"u@abc:+80", `bad port "+80"`},
		{"u@abc:http", `bad port "http"`},
		{"u@::1:443", `too many colons`},
		{"u@[1.2.3.4]:80", `write an IPv4 address without brackets`},
		{"u@[fe80::1%eth0]:80", `IPv6 zone "eth0" not allowed`},
		{"u@[example.com]:80", `in brackets is not an IPv6 address`},
		{"u@-bad.com:80", `each label needs`},
		{"u@a..b:80", `each label needs`},
		{"u@a.b.:80", `each label needs`},
		{"u@a_b.com:80", `'_' is not allowed`},
		{"u@a/b.com:80", `'/' is not allowed`},
		{"u@" + strings.Repeat("a", 64) + ".com:80", `each label needs`},
	} {
		got, err := ParseAddress(tc.in)
		if err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%q: err = %v, want it to contain %q", tc.in, err, tc.err)
		}
		if got != (Address{}) {
			t.Errorf("%q: returned %+v with the error", tc.in, got)
		}
	}
}

func FuzzParseAddress(f *testing.F) {
	for _, s := range []string{"13500001111@abc", "u@abc.vrv.com:443", "u@[::1]:1", "../x@a", "a@b@c", "u@[1.2.3.4]:80", "\x00@a"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAddress(s)
		if err != nil {
			return
		}
		// What parses is safe in a path and round-trips through String.
		if a.Local == "" || strings.ContainsAny(a.Local, "/\\@\x00") || strings.HasPrefix(a.Local, ".") || strings.Contains(a.Local, "..") {
			t.Fatalf("unsafe local part %q from %q", a.Local, s)
		}
		if (a.ServerID == "") == (a.Host == "") {
			t.Fatalf("%q: want exactly one of ServerID and Host: %+v", s, a)
		}
		b, err := ParseAddress(a.String())
		if err != nil || b != a {
			t.Fatalf("%q: String() %q reparses as %+v, %v", s, a.String(), b, err)
		}
	})
}
