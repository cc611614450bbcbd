package cmdutil

import (
	"slices"
	"strings"

	"github.com/spf13/cobra"

	"github.com/imictl/imictl/internal/commands/output"
)

// OutputFlag is the persistent flag every command shares.
const OutputFlag = "output"

const (
	annotFormats       = "imictl/output-formats"
	annotDefaultFormat = "imictl/output-default"
)

// AddOutputFlag registers -o/--output (done once, on the root command).
func AddOutputFlag(root *cobra.Command) {
	root.PersistentFlags().StringP(OutputFlag, "o", "",
		"output format: table, json or yaml (some commands accept more; see their help)")
}

// SetOutputFormats lets a command accept formats beyond table, json and yaml
// (for example "text" and "pem") and change its default. The command then
// handles its extra formats itself before calling output.Print.
func SetOutputFormats(cmd *cobra.Command, def output.Format, extra ...output.Format) {
	if cmd.Annotations == nil {
		cmd.Annotations = map[string]string{}
	}
	names := make([]string, 0, len(extra))
	for _, f := range extra {
		names = append(names, string(f))
	}
	cmd.Annotations[annotFormats] = strings.Join(names, ",")
	cmd.Annotations[annotDefaultFormat] = string(def)
}

// allowedFormats lists what -o accepts for cmd, default first.
func allowedFormats(cmd *cobra.Command) []output.Format {
	def := output.Format(cmd.Annotations[annotDefaultFormat])
	if def == "" {
		def = output.Table
	}
	all := []output.Format{def}
	add := func(f output.Format) {
		if f != "" && !slices.Contains(all, f) {
			all = append(all, f)
		}
	}
	for _, f := range output.Formats {
		add(f)
	}
	for f := range strings.SplitSeq(cmd.Annotations[annotFormats], ",") {
		add(output.Format(f))
	}
	return all
}

// OutputFormat returns the format chosen for cmd: the -o value, or the
// command's default. The root command has already rejected unknown values.
func OutputFormat(cmd *cobra.Command) output.Format {
	if f := cmd.Flag(OutputFlag); f != nil && f.Value.String() != "" {
		return output.Format(f.Value.String())
	}
	return allowedFormats(cmd)[0]
}

// ValidateOutputFormat returns a usage error if -o names a format cmd does
// not support.
func ValidateOutputFormat(cmd *cobra.Command) error {
	f := cmd.Flag(OutputFlag)
	if f == nil || f.Value.String() == "" {
		return nil
	}
	allowed := allowedFormats(cmd)
	if slices.Contains(allowed, output.Format(f.Value.String())) {
		return nil
	}
	names := make([]string, len(allowed))
	for i, a := range allowed {
		names[i] = string(a)
	}
	return UsageError("invalid value %q for -o/--output: %s accepts %s",
		f.Value.String(), cmd.CommandPath(), strings.Join(names, ", "))
}
