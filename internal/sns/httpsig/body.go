package httpsig

import "io"

// maxPrealloc bounds what readBody allocates up front on the word of a
// Content-Length: a larger body grows the buffer as it actually arrives.
const maxPrealloc = 1 << 20

// readBody is io.ReadAll starting from a buffer of the declared length
// (when known and moderate), so that a body is read in one allocation and
// one copy instead of io.ReadAll's growth from 512 bytes.
func readBody(r io.Reader, declared int64) ([]byte, error) {
	size := 512
	if declared >= 0 && declared < maxPrealloc {
		size = int(declared) + 1 // +1: room to see EOF without growing
	}
	b := make([]byte, 0, size)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}
