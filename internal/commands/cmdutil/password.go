package cmdutil

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
)

// PasswordFileEnv names a password file when --password-file is not given.
const PasswordFileEnv = "IMICTL_PASSWORD_FILE"

// maxPasswordFile bounds what ReadPasswordFile reads: a password file is one
// line; a big file is a mistake (a key passed as the password file, say).
const maxPasswordFile = 4096

// ReadPasswordFile returns the first line of the file at path without its
// line ending. An empty password is refused: it would silently mean "no
// encryption" to some tools.
func ReadPasswordFile(path string) ([]byte, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("cannot read password file %s: %w", path, unwrapPathError(err))
	}
	if len(data) > maxPasswordFile {
		return nil, fmt.Errorf("password file %s is larger than %d bytes: is it the right file?", path, maxPasswordFile)
	}
	line, _, _ := bytes.Cut(data, []byte("\n"))
	line = bytes.TrimSuffix(line, []byte("\r"))
	if len(line) == 0 {
		return nil, fmt.Errorf("password file %s: first line is empty; put the password on the first line", path)
	}
	return line, nil
}

// PasswordOptions says where a password comes from.
type PasswordOptions struct {
	File     string // --password-file value; if empty, $IMICTL_PASSWORD_FILE
	FileFlag string // flag name for messages, default "password-file"
	Title    string // prompt, e.g. "Password for server.key"
	New      bool   // a new password: ask twice on a terminal
}

// maxNewPasswordTries bounds how often mismatching confirmations are retried.
const maxNewPasswordTries = 3

// Password returns the password from the file named by opts.File or
// $IMICTL_PASSWORD_FILE, else asks on a terminal (twice for a new one),
// else returns a usage error naming the flag. Never print or log the result.
func Password(f *Factory, opts PasswordOptions) ([]byte, error) {
	flag := opts.FileFlag
	if flag == "" {
		flag = "password-file"
	}
	file := opts.File
	if file == "" {
		file = f.Getenv(PasswordFileEnv)
	}
	if file != "" {
		pw, err := ReadPasswordFile(file)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: check --%s (or %s)", err, flag, PasswordFileEnv)
		}
		return pw, err
	}
	if !f.IOStreams.CanPrompt() {
		return nil, UsageError("a password is needed and there is no terminal to ask: pass --%s FILE (or set %s)", flag, PasswordFileEnv)
	}
	p := f.Prompter()
	for range maxNewPasswordTries {
		pw, err := p.Password(opts.Title)
		if err != nil {
			return nil, err
		}
		if pw == "" {
			return nil, UsageError("empty password: type one, or pass --%s FILE", flag)
		}
		if !opts.New {
			return []byte(pw), nil
		}
		again, err := p.Password("Confirm: " + opts.Title)
		if err != nil {
			return nil, err
		}
		if again == pw {
			return []byte(pw), nil
		}
		fmt.Fprintln(f.IOStreams.ErrOut, "Passwords do not match; try again.")
	}
	return nil, errors.New("passwords did not match 3 times; run the command again")
}
