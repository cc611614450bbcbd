package cmdutil

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/imictl/imictl/internal/commands/iostreams"
)

// Stdio is the file name that means standard input or output.
const Stdio = "-"

// MaxInputSize caps what ReadInput reads by default: keys, CSRs,
// certificates and CRLs are far smaller; anything bigger is the wrong file.
const MaxInputSize = 1 << 20

// ReadInput reads the file at path, or standard input for "-", refusing
// more than limit bytes.
func ReadInput(ios *iostreams.IOStreams, path string, limit int64) ([]byte, error) {
	name := path
	var r io.Reader
	if path == Stdio {
		name, r = "standard input", ios.In
	} else {
		fh, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("cannot read %s: %w: check the path", path, unwrapPathError(err))
		}
		if err != nil {
			return nil, fmt.Errorf("cannot read %s: %w", path, unwrapPathError(err))
		}
		defer fh.Close()
		if st, err := fh.Stat(); err == nil && st.IsDir() {
			return nil, fmt.Errorf("%s is a directory: name a file in it", path)
		}
		r = fh
	}
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("cannot read %s: %w", name, err)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("%s is larger than %d bytes: is it the right file?", name, limit)
	}
	return data, nil
}

// WriteOutput writes data to the file at path (see WriteFileAtomic), or to
// standard output for "-".
func WriteOutput(ios *iostreams.IOStreams, path string, data []byte, perm fs.FileMode, force bool) error {
	if path == Stdio {
		_, err := ios.Out.Write(data)
		return err
	}
	return WriteFileAtomic(path, data, perm, force)
}

// WriteFileAtomic writes data to path with exactly perm (0600 for private
// keys), through a temporary file in the same directory, so that readers
// never see half a file and a failure leaves nothing behind. An existing
// file is refused unless force.
func WriteFileAtomic(path string, data []byte, perm fs.FileMode, force bool) error {
	return WriteFileFrom(path, perm, force, func(w io.Writer) error {
		_, err := w.Write(data)
		if err != nil {
			return fmt.Errorf("cannot write %s: %w", path, err)
		}
		return nil
	})
}

// WriteFileFrom is WriteFileAtomic for content that fill streams, such as a
// download: the file appears, with mode perm, only when fill succeeded (it
// checks what it wrote: size, digest), so a failed or refused transfer
// leaves nothing at path. fill's error is returned as it is.
func WriteFileFrom(path string, perm fs.FileMode, force bool, fill func(io.Writer) error) (err error) {
	if st, err := os.Lstat(path); err == nil {
		if st.IsDir() { // --force cannot replace it either
			return fmt.Errorf("%s is a directory: name a file in it", path)
		}
		if !force {
			return fmt.Errorf("%s already exists: pass --force to overwrite it", path)
		}
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".tmp-*")
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("cannot write %s: %w: create %s first, or check the path", path, unwrapPathError(err), filepath.Dir(path))
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	defer func() {
		if err != nil {
			tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err := fill(tmp); err != nil {
		return err
	}
	if err := syncAndClose(tmp, perm); err != nil {
		return fmt.Errorf("cannot write %s: %w", path, err)
	}
	if force {
		err = os.Rename(tmp.Name(), path)
	} else {
		// Link fails if path appeared since the check above: never clobber
		// a file created meanwhile.
		err = os.Link(tmp.Name(), path)
		switch {
		case err == nil:
			_ = os.Remove(tmp.Name())
		case errors.Is(err, fs.ErrExist):
			return fmt.Errorf("%s already exists: pass --force to overwrite it", path)
		default: // no hard links on this file system (FAT, some network mounts)
			err = os.Rename(tmp.Name(), path)
		}
	}
	if err != nil {
		return fmt.Errorf("cannot write %s: %w", path, unwrapPathError(err))
	}
	return nil
}

func syncAndClose(f *os.File, perm fs.FileMode) error {
	err := f.Chmod(perm)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// unwrapPathError drops the *PathError/*LinkError decoration, whose path
// (often a temporary name) the caller's message already replaces.
func unwrapPathError(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
