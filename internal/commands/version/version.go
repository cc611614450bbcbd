// Package version implements `imictl version` and reports what the binary
// was built from, for bug reports and User-Agent strings.
package version

import (
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/cmdutil"
	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

const gmsmPath = "github.com/emmansun/gmsm"

// Info describes the running binary. Its JSON form is part of the scripting
// contract of `imictl version -o json`.
type Info struct {
	Version     string `json:"version"`
	Commit      string `json:"commit,omitempty"`
	CommitTime  string `json:"commitTime,omitempty"`
	Modified    bool   `json:"modified"`
	GoVersion   string `json:"goVersion"`
	GMSMVersion string `json:"gmsmVersion,omitempty"`
	Platform    string `json:"platform"`
}

// Get describes the running binary.
func Get() Info {
	return FromBuildInfo(debug.ReadBuildInfo())
}

// FromBuildInfo extracts Info from what the Go toolchain stamped into the
// binary (module version, VCS revision, dependency versions).
func FromBuildInfo(bi *debug.BuildInfo, ok bool) Info {
	info := Info{Version: "devel", GoVersion: runtime.Version(), Platform: runtime.GOOS + "/" + runtime.GOARCH}
	if !ok || bi == nil {
		return info
	}
	if v := bi.Main.Version; v != "" && v != "(devel)" {
		info.Version = v
	}
	if bi.GoVersion != "" {
		info.GoVersion = bi.GoVersion
	}
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			info.Commit = s.Value
		case "vcs.time":
			info.CommitTime = s.Value
		case "vcs.modified":
			info.Modified = s.Value == "true"
		}
	}
	for _, d := range bi.Deps {
		if d.Path != gmsmPath {
			continue
		}
		info.GMSMVersion = d.Version
		if r := d.Replace; r != nil {
			info.GMSMVersion = strings.TrimSpace("replaced by " + r.Path + " " + r.Version)
		}
	}
	return info
}

// Options are the inputs of `imictl version`.
type Options struct {
	IO     *iostreams.IOStreams
	Format output.Format
	Info   func() Info
}

// NewCmdVersion returns `imictl version`. runF replaces the run step in tests.
func NewCmdVersion(f *cmdutil.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, Info: Get}
	return &cobra.Command{
		Use:   "version",
		Short: "Show the version, commit, Go and gmsm versions",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Format = cmdutil.OutputFormat(cmd)
			if runF != nil {
				return runF(opts)
			}
			return run(opts)
		},
	}
}

func run(opts *Options) error {
	info := opts.Info()
	commit := info.Commit
	if commit == "" {
		commit = "unknown"
	} else if info.Modified {
		commit += " (modified)"
	}
	gmsm := info.GMSMVersion
	if gmsm == "" {
		gmsm = "not linked"
	}
	return output.Print(opts.IO.Out, opts.Format, output.View{
		Data: info,
		Details: []output.Field{
			{Key: "Version", Value: info.Version},
			{Key: "Commit", Value: commit},
			{Key: "Go", Value: info.GoVersion},
			{Key: "gmsm", Value: gmsm},
			{Key: "Platform", Value: info.Platform},
		},
	})
}
