package mgmt

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"time"

	"github.com/imictl/imictl/internal/mgmt/ca"
	"github.com/imictl/imictl/internal/mgmt/store"
	"github.com/imictl/imictl/internal/pki"
)

// Backup implements Admin: a consistent copy of the database, read in one
// transaction.
func (s *Service) Backup(_ context.Context, w io.Writer) (int64, error) { return s.st.Backup(w) }

// A backup archive is a gzip-compressed tar of, in this order:
//
//	MANIFEST.json   BackupManifest
//	mgmt.db         the database, as Admin.Backup wrote it
//	ca/<file>       every file of the CA directory (keys as encrypted as they are)
//
// RestoreBackup accepts nothing else.
const (
	BackupFormat   = "imictl-mgmt-backup"
	backupVersion  = 1
	manifestName   = "MANIFEST.json"
	backupDBName   = "mgmt.db"
	backupCAPrefix = "ca/"
	// maxBackupCAFile bounds one CA file read back (certificates and keys
	// are a few kilobytes).
	maxBackupCAFile = 1 << 20
	maxManifest     = 64 << 10
)

// BackupManifest describes an archive; RestoreBackup checks the database
// against it.
type BackupManifest struct {
	Format         string    `json:"format"`
	Version        int       `json:"version"`
	CreatedAt      time.Time `json:"createdAt"`
	DatabaseBytes  int64     `json:"databaseBytes"`
	DatabaseSHA256 string    `json:"databaseSHA256"`
	CAFiles        []string  `json:"caFiles"`
}

// WriteBackup writes the archive of the management server of dataDir to w:
// the database through adm (a running server's socket, or the database
// opened directly), the CA files from disk. The database is first copied
// to a temporary file in tmpDir (a tar entry needs its size up front).
func WriteBackup(ctx context.Context, w io.Writer, adm Admin, dataDir, tmpDir string, now time.Time) (BackupManifest, error) {
	m := BackupManifest{Format: BackupFormat, Version: backupVersion, CreatedAt: now.UTC(), CAFiles: []string{}}
	caDir := CADir(dataDir)
	entries, err := os.ReadDir(caDir)
	if err != nil {
		return m, fmt.Errorf("reading the CA directory: %w", err)
	}
	for _, e := range entries {
		if e.Type().IsRegular() {
			m.CAFiles = append(m.CAFiles, e.Name())
		}
	}
	sort.Strings(m.CAFiles)

	tmp, err := os.CreateTemp(tmpDir, ".imictl-backup-*.db")
	if err != nil {
		return m, fmt.Errorf("a temporary copy of the database: %w (choose an --out in a writable directory)", err)
	}
	defer os.Remove(tmp.Name())
	defer tmp.Close()
	h := sha256.New()
	if m.DatabaseBytes, err = adm.Backup(ctx, io.MultiWriter(tmp, h)); err != nil {
		return m, fmt.Errorf("copying the database: %w", err)
	}
	m.DatabaseSHA256 = hex.EncodeToString(h.Sum(nil))
	if _, err := tmp.Seek(0, io.SeekStart); err != nil {
		return m, err
	}

	gz := gzip.NewWriter(w)
	tw := tar.NewWriter(gz)
	manifest, _ := json.MarshalIndent(m, "", "  ")
	if err := writeEntry(tw, manifestName, 0o644, int64(len(manifest)), now, bytes.NewReader(manifest)); err != nil {
		return m, err
	}
	if err := writeEntry(tw, backupDBName, 0o600, m.DatabaseBytes, now, tmp); err != nil {
		return m, err
	}
	for _, name := range m.CAFiles {
		if err := writeCAFile(tw, filepath.Join(caDir, name), backupCAPrefix+name, now); err != nil {
			return m, err
		}
	}
	if err := tw.Close(); err != nil {
		return m, err
	}
	return m, gz.Close()
}

func writeCAFile(tw *tar.Writer, file, name string, now time.Time) error {
	f, err := os.Open(file)
	if err != nil {
		return fmt.Errorf("reading the CA: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return err
	}
	return writeEntry(tw, name, info.Mode().Perm(), info.Size(), now, f)
}

func writeEntry(tw *tar.Writer, name string, mode fs.FileMode, size int64, now time.Time, r io.Reader) error {
	if err := tw.WriteHeader(&tar.Header{Name: name, Mode: int64(mode), Size: size, ModTime: now, Typeflag: tar.TypeReg}); err != nil {
		return err
	}
	n, err := io.Copy(tw, r)
	if err == nil && n != size {
		err = fmt.Errorf("%s changed while it was copied", name)
	}
	return err
}

// RestoreResult says what RestoreBackup did.
type RestoreResult struct {
	Manifest BackupManifest `json:"manifest"`
	// MovedAside is where the management data that was there went (with
	// force), empty when there was none.
	MovedAside string `json:"movedAside,omitempty"`
	// RootSHA256 is the restored root's fingerprint, to compare with the
	// one IM servers pinned.
	RootSHA256 string `json:"rootSHA256"`
}

// ErrDataExists: the data directory already holds a management database.
var ErrDataExists = errors.New("the data directory already holds a management server")

// RestoreBackup unpacks an archive made by WriteBackup into dataDir. It
// unpacks into a staging directory beside the target, checks everything
// (the entries' names and sizes, the database's digest against the
// manifest, that the database opens and the CA root parses), and only
// then moves it into place, so that a bad archive changes nothing. A data
// directory with a management database is refused (ErrDataExists) unless
// force, which moves that data aside first; a database in use by a
// running server is refused either way (store.ErrLocked).
func RestoreBackup(r io.Reader, dataDir string, force bool, now time.Time) (RestoreResult, error) {
	var res RestoreResult
	if err := os.MkdirAll(dataDir, 0o700); err != nil {
		return res, err
	}
	target := Dir(dataDir)
	existing := false
	if _, err := os.Stat(DBPath(dataDir)); err == nil {
		existing = true
		st, err := store.Open(DBPath(dataDir), store.Options{Timeout: store.DefaultTimeout})
		if err != nil {
			return res, fmt.Errorf("the management database in %s: %w (stop the server before restoring)", dataDir, err)
		}
		st.Close()
		if !force {
			return res, fmt.Errorf("%w in %s: restore into an empty --data-dir, or pass --force to move the current data aside", ErrDataExists, dataDir)
		}
	}
	staging, err := os.MkdirTemp(dataDir, ".mgmt-restore-*")
	if err != nil {
		return res, err
	}
	defer os.RemoveAll(staging)
	if res.Manifest, err = unpack(r, staging); err != nil {
		return res, fmt.Errorf("the backup archive: %w", err)
	}
	if res.RootSHA256, err = checkRestored(staging); err != nil {
		return res, fmt.Errorf("the backup archive: %w", err)
	}
	if existing || dirExists(target) {
		res.MovedAside = filepath.Join(dataDir, "mgmt.before-restore-"+now.UTC().Format("20060102T150405Z"))
		if err := os.Rename(target, res.MovedAside); err != nil {
			return res, fmt.Errorf("moving the current data aside: %w", err)
		}
	}
	if err := os.Rename(staging, target); err != nil {
		return res, fmt.Errorf("moving the restored data into place: %w", err)
	}
	return res, syncDir(dataDir)
}

// unpack reads the archive into dir (dir/mgmt.db, dir/ca/...), accepting
// only the entries WriteBackup makes.
func unpack(r io.Reader, dir string) (BackupManifest, error) {
	var m BackupManifest
	gz, err := gzip.NewReader(r)
	if err != nil {
		return m, fmt.Errorf("not a backup made by imictl admin backup (not gzip: %v)", err)
	}
	tr := tar.NewReader(gz)
	hdr, err := tr.Next()
	if err != nil || hdr.Name != manifestName {
		return m, errors.New("not a backup made by imictl admin backup (no MANIFEST.json first)")
	}
	data, err := io.ReadAll(io.LimitReader(tr, maxManifest))
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(data, &m); err != nil || m.Format != BackupFormat {
		return m, errors.New("not a backup made by imictl admin backup (unknown manifest)")
	}
	if m.Version != backupVersion {
		return m, fmt.Errorf("backup format version %d; this imictl reads version %d", m.Version, backupVersion)
	}
	if err := os.Mkdir(filepath.Join(dir, caDirName), 0o700); err != nil {
		return m, err
	}
	sawDB := false
	for {
		hdr, err := tr.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return m, fmt.Errorf("damaged: %w", err)
		}
		if hdr.Typeflag != tar.TypeReg {
			return m, fmt.Errorf("entry %q is not a regular file", hdr.Name)
		}
		var dest string
		limit := int64(maxBackupCAFile)
		switch name := hdr.Name; {
		case name == backupDBName && !sawDB:
			dest, limit, sawDB = filepath.Join(dir, dbName), m.DatabaseBytes, true
		case path.Dir(name)+"/" == backupCAPrefix && isPlainName(path.Base(name)):
			dest = filepath.Join(dir, caDirName, path.Base(name))
		default:
			return m, fmt.Errorf("unexpected entry %q", hdr.Name)
		}
		if hdr.Size > limit {
			return m, fmt.Errorf("entry %q is %d bytes, more than expected", hdr.Name, hdr.Size)
		}
		if err := writeFile(dest, fs.FileMode(hdr.Mode).Perm()&0o644, tr, hdr.Size); err != nil {
			return m, err
		}
	}
	if !sawDB {
		return m, errors.New("no database in it")
	}
	f, err := os.Open(filepath.Join(dir, dbName))
	if err != nil {
		return m, err
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return m, err
	}
	if got := hex.EncodeToString(h.Sum(nil)); got != m.DatabaseSHA256 {
		return m, fmt.Errorf("the database's SHA-256 is %s, the manifest says %s: the archive is damaged", got, m.DatabaseSHA256)
	}
	return m, nil
}

// checkRestored opens the unpacked database and reads the CA root.
func checkRestored(dir string) (string, error) {
	st, err := store.Open(filepath.Join(dir, dbName), store.Options{Timeout: store.DefaultTimeout})
	if err != nil {
		return "", fmt.Errorf("its database does not open: %w", err)
	}
	if _, err := st.ChangeClock(); err != nil {
		st.Close()
		return "", fmt.Errorf("its database is unreadable: %w", err)
	}
	st.Close()
	pemData, err := os.ReadFile(filepath.Join(dir, caDirName, ca.RootCertFile))
	if err != nil {
		return "", fmt.Errorf("no CA root in it: %w", err)
	}
	root, err := pki.ParseCertificatePEM(pemData)
	if err != nil {
		return "", fmt.Errorf("its CA root: %w", err)
	}
	sum := sha256.Sum256(root.Raw)
	return hex.EncodeToString(sum[:]), nil
}

func writeFile(dest string, mode fs.FileMode, r io.Reader, size int64) error {
	f, err := os.OpenFile(dest, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	n, err := io.Copy(f, io.LimitReader(r, size))
	if err == nil && n != size {
		err = fmt.Errorf("%s is cut short", filepath.Base(dest))
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}

// isPlainName: a file name with no directory part, not "." or "..".
func isPlainName(name string) bool {
	return name != "." && name != ".." && name != "" && filepath.Base(name) == name && !filepath.IsAbs(name)
}

func dirExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
