package dir_test

import (
	"context"
	"strconv"
)

var bg = context.Background()

func jsonNumber(n int64) string { return strconv.FormatInt(n, 10) }
