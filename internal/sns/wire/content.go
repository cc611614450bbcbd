package wire

import (
	"encoding/json"

	"github.com/imictl/imictl/internal/lenient"
)

// Content is the typed content of a MessageInfo (§6.2.3–6.2.6): one of
// *TextContent, *ImageContent, *VoiceContent, *FileContent, *RepealContent.
type Content interface {
	// MessageType is the messageType this content belongs to.
	MessageType() string
	validate() error
}

// TextContent is {"message": "..."}.
type TextContent struct {
	Message string `json:"message"`
}

// ImageContent is an image; Size is a decimal byte count, as a string in the source.
type ImageContent struct {
	Size   string `json:"size"`
	Name   string `json:"name"`
	FileID string `json:"fileID" lenient:"trim"`
	MD5    string `json:"md5"`
}

// VoiceContent is a voice clip; Duration is a positive decimal number of seconds.
type VoiceContent struct {
	Size     string `json:"size"`
	FileID   string `json:"fileID" lenient:"trim"`
	Duration string `json:"duration"`
	MD5      string `json:"md5"`
}

// FileContent is an ordinary file.
type FileContent struct {
	Size   string `json:"size"`
	Name   string `json:"name"`
	FileID string `json:"fileID" lenient:"trim"`
	MD5    string `json:"md5"`
}

// RepealContent is the content of a revocation; the source gives none, so we
// emit {} and accept any object (its fields are ignored), null or nothing.
type RepealContent struct{}

func (*TextContent) MessageType() string   { return MessageText }
func (*ImageContent) MessageType() string  { return MessageImage }
func (*VoiceContent) MessageType() string  { return MessageVoice }
func (*FileContent) MessageType() string   { return MessageFile }
func (*RepealContent) MessageType() string { return MessageRepeal }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *TextContent) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *ImageContent) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *VoiceContent) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *FileContent) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

// UnmarshalJSON implements json.Unmarshaler with the package's leniency.
func (c *RepealContent) UnmarshalJSON(b []byte) error { return lenient.Decode(b, c) }

func (c *TextContent) validate() error   { return nil }
func (c *RepealContent) validate() error { return nil }

func (c *ImageContent) validate() error { return checkMedia(c.Size, c.MD5) }
func (c *FileContent) validate() error  { return checkMedia(c.Size, c.MD5) }

func (c *VoiceContent) validate() error {
	if err := checkMedia(c.Size, c.MD5); err != nil {
		return err
	}
	if c.Duration != "" && !isDecimal(c.Duration, false) {
		return lenient.Errorf("duration", "want a positive whole number of seconds, got "+quote(c.Duration))
	}
	return nil
}

func checkMedia(size, md5 string) error {
	if size != "" && !isDecimal(size, true) {
		return lenient.Errorf("size", "want a whole number of bytes, got "+quote(size))
	}
	if md5 != "" && !isHex(md5, 32) {
		return lenient.Errorf("md5", "want 32 hexadecimal digits, got "+quote(md5))
	}
	return nil
}

// decodeContent types raw by messageType; an empty or unknown messageType
// gives nil so that Validate can name the real problem.
func decodeContent(messageType string, raw json.RawMessage) (Content, error) {
	var c Content
	switch messageType {
	case MessageText:
		c = new(TextContent)
	case MessageImage:
		c = new(ImageContent)
	case MessageVoice:
		c = new(VoiceContent)
	case MessageFile:
		c = new(FileContent)
	case MessageRepeal:
		c = new(RepealContent)
	default:
		return nil, nil
	}
	if len(raw) == 0 {
		if messageType == MessageRepeal {
			return c, nil
		}
		return nil, nil
	}
	if err := json.Unmarshal(raw, c); err != nil {
		return nil, err
	}
	return c, nil
}

// fileIDOf points at the fileID of media content, nil for text and repeal.
func fileIDOf(c Content) *string {
	switch c := c.(type) {
	case *ImageContent:
		return &c.FileID
	case *VoiceContent:
		return &c.FileID
	case *FileContent:
		return &c.FileID
	}
	return nil
}
