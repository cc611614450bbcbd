package mgmtutil

import (
	"strconv"
	"strings"
	"time"

	"github.com/imictl/imictl/internal/commands/cmdutil"
)

// maxDays bounds durations given in days: longer is a typo.
const maxDays = 100 * 365

// ParseDuration reads a duration as people give certificate lifetimes:
// days ("365d", "1.5d") or a Go duration ("720h", "90m"). It must be
// positive. A bad value is a usage error naming --flag.
func ParseDuration(flag, s string) (time.Duration, error) {
	bad := cmdutil.UsageError("invalid --%s %q: give days (365d) or a duration (720h)", flag, s)
	if days, ok := strings.CutSuffix(s, "d"); ok {
		n, err := strconv.ParseFloat(days, 64)
		if err != nil || n <= 0 || n > maxDays {
			return 0, bad
		}
		return time.Duration(n * float64(24*time.Hour)), nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, bad
	}
	return d, nil
}
