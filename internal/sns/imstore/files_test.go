package imstore

import (
	"strings"
	"testing"
)

func TestFiles(t *testing.T) {
	s, c := openTest(t)
	hash, md := sums([]byte("x"))
	m, err := s.PutFile(FileMeta{FileID: "f1@host.example.com:8441", Name: "a.txt", Size: 1, MD5: md, ContentHash: hash})
	if err != nil || m.Origin != "host.example.com:8441" || m.Local || !m.CachedAt.Equal(c.Now()) {
		t.Fatalf("PutFile: %+v %v", m, err)
	}
	got, err := s.GetFile("f1@host.example.com:8441")
	if err != nil || got != m {
		t.Fatalf("GetFile: %+v %v", got, err)
	}
	// The same file again (a racing download) is fine.
	if again, err := s.PutFile(FileMeta{FileID: "f1@host.example.com:8441", Size: 1, MD5: md, ContentHash: hash}); err != nil || again != m {
		t.Fatalf("same file: %+v %v", again, err)
	}
	ok := FileMeta{FileID: "f2@alpha", Size: 1, MD5: md, ContentHash: hash, Local: true}
	with := func(f func(*FileMeta)) FileMeta { m := ok; f(&m); return m }
	cases := []struct {
		name string
		m    FileMeta
		kind error
		want string
	}{
		{"other bytes, same id", with(func(m *FileMeta) { m.FileID, m.Size = "f1@host.example.com:8441", 2 }), ErrExists, `file "f1@host.example.com:8441" already exists`},
		{"bad id", with(func(m *FileMeta) { m.FileID = "f2" }), ErrInvalid, "invalid fileID"},
		{"negative size", with(func(m *FileMeta) { m.Size = -1 }), ErrInvalid, "invalid size: -1 is negative"},
		{"upper-case md5", with(func(m *FileMeta) { m.MD5 = strings.ToUpper(md) }), ErrInvalid, "invalid md5"},
		{"short hash", with(func(m *FileMeta) { m.ContentHash = "abc" }), ErrInvalid, `invalid contentHash: "abc"`},
	}
	var rs []refusal
	for _, tc := range cases {
		rs = append(rs, refusal{tc.name, func() error { _, err := s.PutFile(tc.m); return err }, tc.kind, tc.want})
	}
	rs = append(rs,
		refusal{"allow bad file", func() error { return s.AllowDownload("nope", "beta") }, ErrInvalid, "invalid fileID"},
		refusal{"allow bad server", func() error { return s.AllowDownload("f2@alpha", "be ta") }, ErrInvalid, "invalid serverID"})
	checkRefusals(t, s, rs)
	if _, err := s.GetFile("f9@alpha"); err == nil || !strings.Contains(err.Error(), `no file "f9@alpha"`) {
		t.Fatalf("missing file: %v", err)
	}
	must(t, s.AllowDownload("f2@alpha", "beta"))
	if ok, _ := s.MayDownload("f2@alpha", "beta"); !ok {
		t.Fatal("AllowDownload did not allow")
	}
}

func TestNewID(t *testing.T) {
	a, err := NewID("alpha")
	must(t, err)
	b, _ := NewID("alpha")
	if a == b || !strings.HasSuffix(a, "@alpha") || len(a) != 32+len("@alpha") {
		t.Fatalf("ids %q %q", a, b)
	}
	if origin, err := OriginOf(a); err != nil || origin != "alpha" {
		t.Fatalf("OriginOf: %q %v", origin, err)
	}
	if _, err := NewID("al.pha"); err == nil || !strings.Contains(err.Error(), "invalid serverID") {
		t.Fatalf("bad serverId: %v", err)
	}
}
