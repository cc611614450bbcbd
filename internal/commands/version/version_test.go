package version

import (
	"runtime"
	"runtime/debug"
	"testing"

	"github.com/imictl/imictl/internal/commands/iostreams"
	"github.com/imictl/imictl/internal/commands/output"
)

var platform = runtime.GOOS + "/" + runtime.GOARCH

func TestFromBuildInfo(t *testing.T) {
	full := &debug.BuildInfo{
		GoVersion: "go1.26.8",
		Main:      debug.Module{Path: "github.com/imictl/imictl", Version: "v0.1.0"},
		Deps:      []*debug.Module{{Path: "github.com/spf13/cobra", Version: "v1.10.2"}, {Path: gmsmPath, Version: "v0.44.1"}},
		Settings: []debug.BuildSetting{
			{Key: "vcs.revision", Value: "0123456789abcdef"},
			{Key: "vcs.time", Value: "2025-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	}
	tests := []struct {
		name string
		bi   *debug.BuildInfo
		ok   bool
		want Info
	}{
		{"stamped", full, true, Info{Version: "v0.1.0", Commit: "0123456789abcdef", CommitTime: "2025-01-02T03:04:05Z", Modified: true, GoVersion: "go1.26.8", GMSMVersion: "v0.44.1", Platform: platform}},
		{"devel build", &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "(devel)"}}, true, Info{Version: "devel", GoVersion: "go1.26.8", Platform: platform}},
		{"replaced gmsm", &debug.BuildInfo{GoVersion: "go1.26.8", Deps: []*debug.Module{{Path: gmsmPath, Version: "v0.44.1", Replace: &debug.Module{Path: "../gmsm", Version: ""}}}}, true,
			Info{Version: "devel", GoVersion: "go1.26.8", GMSMVersion: "replaced by ../gmsm", Platform: platform}},
		{"no build info", nil, false, Info{Version: "devel", GoVersion: runtime.Version(), Platform: platform}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := FromBuildInfo(tt.bi, tt.ok); got != tt.want {
				t.Errorf("got  %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestRun(t *testing.T) {
	info := Info{Version: "v0.1.0", Commit: "0123abc", CommitTime: "2025-01-02T03:04:05Z", Modified: true, GoVersion: "go1.26.8", GMSMVersion: "v0.44.1", Platform: "linux/amd64"}
	tests := []struct {
		name   string
		format output.Format
		info   Info
		want   string
	}{
		{"table", output.Table, info, "" +
			"Version:    v0.1.0\n" +
			"Commit:     0123abc (modified)\n" +
			"Go:         go1.26.8\n" +
			"gmsm:       v0.44.1\n" +
			"Platform:   linux/amd64\n"},
		{"table without vcs or gmsm", output.Table, Info{Version: "devel", GoVersion: "go1.26.8", Platform: "linux/amd64"}, "" +
			"Version:    devel\n" +
			"Commit:     unknown\n" +
			"Go:         go1.26.8\n" +
			"gmsm:       not linked\n" +
			"Platform:   linux/amd64\n"},
		{"json", output.JSON, info, `{
  "version": "v0.1.0",
  "commit": "0123abc",
  "commitTime": "2025-01-02T03:04:05Z",
  "modified": true,
  "goVersion": "go1.26.8",
  "gmsmVersion": "v0.44.1",
  "platform": "linux/amd64"
}
`},
		{"yaml", output.YAML, info, `version: v0.1.0
commit: 0123abc
commitTime: "2025-01-02T03:04:05Z"
modified: true
goVersion: go1.26.8
gmsmVersion: v0.44.1
platform: linux/amd64
`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ios, _, out, errOut := iostreams.Test()
			err := run(&Options{IO: ios, Format: tt.format, Info: func() Info { return tt.info }})
			if err != nil {
				t.Fatal(err)
			}
			if out.String() != tt.want {
				t.Errorf("got:\n%s\nwant:\n%s", out.String(), tt.want)
			}
			if errOut.Len() != 0 {
				t.Errorf("stderr = %q", errOut.String())
			}
		})
	}
}

func TestGetDescribesThisBinary(t *testing.T) {
	got := Get()
	if got.GoVersion != runtime.Version() || got.Platform != platform || got.Version == "" {
		t.Errorf("Get() = %+v", got)
	}
}
