package cmdutil

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/imictl/imictl/internal/commands/iostreams"
)

func TestWriteFileAtomic(t *testing.T) {
	dir := t.TempDir()
	key := filepath.Join(dir, "server.key")

	if err := WriteFileAtomic(key, []byte("secret"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	assertFile(t, key, "secret", 0o600)

	err := WriteFileAtomic(key, []byte("other"), 0o600, false)
	if err == nil || err.Error() != key+" already exists: pass --force to overwrite it" {
		t.Fatalf("err = %v", err)
	}
	assertFile(t, key, "secret", 0o600)

	if err := WriteFileAtomic(key, []byte("new"), 0o644, true); err != nil {
		t.Fatal(err)
	}
	assertFile(t, key, "new", 0o644)
	assertOnly(t, dir, "server.key")
}

func TestWriteFileAtomicRefusesSymlinkWithoutForce(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "target")
	link := filepath.Join(dir, "link")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if err := WriteFileAtomic(link, []byte("x"), 0o600, false); err == nil {
		t.Fatal("wrote through a dangling symlink")
	}
	if _, err := os.Stat(target); !os.IsNotExist(err) {
		t.Fatalf("target created: %v", err)
	}
}

func TestWriteFileAtomicMissingDirectoryLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	err := WriteFileAtomic(filepath.Join(dir, "no", "such", "file"), []byte("x"), 0o600, false)
	if err == nil || !strings.Contains(err.Error(), "cannot write "+filepath.Join(dir, "no", "such", "file")+": no such file or directory: create "+filepath.Join(dir, "no", "such")+" first, or check the path") {
		t.Fatalf("err = %v", err)
	}
	assertOnly(t, dir)
}

func TestWriteFileAtomicRefusesDirectory(t *testing.T) {
	dir := t.TempDir()
	sub := filepath.Join(dir, "sub")
	if err := os.Mkdir(sub, 0o700); err != nil {
		t.Fatal(err)
	}
	for _, force := range []bool{false, true} {
		err := WriteFileAtomic(sub, []byte("x"), 0o600, force)
		if err == nil || err.Error() != sub+" is a directory: name a file in it" {
			t.Fatalf("force %v: err = %v", force, err)
		}
	}
	assertOnly(t, dir, "sub")
	if entries, err := os.ReadDir(sub); err != nil || len(entries) != 0 {
		t.Fatalf("sub changed: %v %v", entries, err)
	}
}

func TestWriteOutputDashIsStdout(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	if err := WriteOutput(ios, "-", []byte("pem\n"), 0o600, false); err != nil {
		t.Fatal(err)
	}
	if out.String() != "pem\n" {
		t.Fatalf("stdout = %q", out.String())
	}
	dir := t.TempDir()
	p := filepath.Join(dir, "c.pem")
	if err := WriteOutput(ios, p, []byte("x"), 0o644, false); err != nil {
		t.Fatal(err)
	}
	assertFile(t, p, "x", 0o644)
	if out.String() != "pem\n" {
		t.Fatalf("file output leaked to stdout: %q", out.String())
	}
}

func TestReadInput(t *testing.T) {
	dir := t.TempDir()
	small := filepath.Join(dir, "small")
	if err := os.WriteFile(small, []byte("12345"), 0o600); err != nil {
		t.Fatal(err)
	}
	ios, in, _, _ := iostreams.Test()
	in.WriteString("from stdin")

	tests := []struct {
		name, path string
		limit      int64
		want       string
		wantErr    string
	}{
		{"file", small, 5, "12345", ""},
		{"file over limit", small, 4, "", small + " is larger than 4 bytes: is it the right file?"},
		{"missing file", filepath.Join(dir, "nope"), 10, "", "cannot read " + filepath.Join(dir, "nope") + ": no such file or directory: check the path"},
		{"directory", dir, 10, "", dir + " is a directory: name a file in it"},
		{"stdin", "-", 100, "from stdin", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ReadInput(ios, tt.path, tt.limit)
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("err = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if string(got) != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}

	ios2, in2, _, _ := iostreams.Test()
	in2.WriteString(strings.Repeat("x", 11))
	if _, err := ReadInput(ios2, "-", 10); err == nil || err.Error() != "standard input is larger than 10 bytes: is it the right file?" {
		t.Fatalf("stdin over limit: err = %v", err)
	}
}

func assertFile(t *testing.T, path, content string, perm os.FileMode) {
	t.Helper()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != perm {
		t.Errorf("%s mode = %v, want %v", path, st.Mode().Perm(), perm)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if string(data) != content {
		t.Errorf("%s = %q, want %q", path, data, content)
	}
}

// assertOnly checks that dir holds exactly names: no temporary files left.
func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if strings.Join(got, ",") != strings.Join(names, ",") {
		t.Errorf("%s holds %q, want %q", dir, got, names)
	}
}
