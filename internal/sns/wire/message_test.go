package wire

import (
	"encoding/json"
	"errors"
	"reflect"
	"testing"

	"github.com/imictl/imictl/internal/lenient"
)

const md5 = "0123456789abcdef0123456789ABCDEF"

func TestMessageInfoDecode(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     MessageInfo
	}{
		{"text", `{"senderID":"a@x","recvID":"b@y","messageType":"text","version":"v1","type":1,"messageID":"m1@x","content":{"message":"hi"}}`,
			MessageInfo{SenderID: "a@x", RecvID: "b@y", MessageType: "text", Version: "v1", Type: 1, MessageID: "m1@x", Content: &TextContent{Message: "hi"}}},
		{"source spelling of messagetype, type as string", `{"senderID":"a@x","recvID":"g@y","messagetype":" TEXT ","version":"v1","type":"2","messageID":"m1@x","content":{"message":"请假"}}`,
			MessageInfo{SenderID: "a@x", RecvID: "g@y", MessageType: "text", Version: "v1", Type: 2, MessageID: "m1@x", Content: &TextContent{Message: "请假"}}},
		{"voice as in §6.2.5: stray space, numbers", `{"messageType":"Voice","fileID":"f@x","content":{"size":2048,"fileID ":"f@x","duration":10,"md5":""}}`,
			MessageInfo{MessageType: "voice", FileID: "f@x", Content: &VoiceContent{Size: "2048", FileID: "f@x", Duration: "10"}}},
		{"fileID only in content is copied up", `{"messageType":"image","content":{"fileID ":"f@x","name":"a.png"}}`,
			MessageInfo{MessageType: "image", FileID: "f@x", Content: &ImageContent{Name: "a.png", FileID: "f@x"}}},
		{"fileID only outside is copied down", `{"messageType":"file","fileID":"f@x","content":{"size":"1","name":"a.txt"}}`,
			MessageInfo{MessageType: "file", FileID: "f@x", Content: &FileContent{Size: "1", Name: "a.txt", FileID: "f@x"}}},
		{"repeal without content", `{"messageType":"repeal","messageID":"m1@x"}`,
			MessageInfo{MessageType: "repeal", MessageID: "m1@x", Content: &RepealContent{}}},
		{"repeal with fields ignored", `{"messageType":"REPEAL","content":{"why":"typo"}}`,
			MessageInfo{MessageType: "repeal", Content: &RepealContent{}}},
		{"unknown type leaves content for Validate", `{"messageType":"video","content":{"x":1}}`,
			MessageInfo{MessageType: "video"}},
		{"media without content", `{"messageType":"image","fileID":"f@x"}`,
			MessageInfo{MessageType: "image", FileID: "f@x"}},
		{"nulls", `{"senderID":null,"type":null,"content":null,"messageType":"text"}`,
			MessageInfo{MessageType: "text", Content: &TextContent{}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var got MessageInfo
			if err := json.Unmarshal([]byte(tc.in), &got); err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got  %+v (%+v)\nwant %+v (%+v)", got, got.Content, tc.want, tc.want.Content)
			}
		})
	}
}

func TestMessageInfoDecodeErrors(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"messageType":"text","messagetype":"image"}`, `messageType: sent twice (as "messageType" and "messagetype"): send each field once`},
		{`{"type":"one"}`, `type: want an integer, got "one"`},
		{`{"type":true}`, `type: want an integer, got boolean`},
		{`{"messageType":"voice","content":{"duration":[10]}}`, `content.duration: want a string or number, got array`},
		{`{"messageType":"text","content":"hi"}`, `content: want an object, got string`},
		{`{"messageType":"repeal","content":[]}`, `content: want an object, got array`},
		{`{"messageType":"file","content":{"fileID":"a@x","fileID ":"b@x"}}`, `content.fileID: sent twice (as "fileID" and "fileID "): send each field once`},
		{`[]`, `want an object, got array`},
	} {
		got := MessageInfo{SenderID: "before"}
		err := json.Unmarshal([]byte(tc.in), &got)
		if err == nil || err.Error() != tc.want {
			t.Errorf("%s:\n err = %v\nwant %s", tc.in, err, tc.want)
		}
		if got.SenderID != "before" || got.Content != nil {
			t.Errorf("%s: value changed on error: %+v", tc.in, got)
		}
	}
}

func validText() MessageInfo {
	return MessageInfo{SenderID: "a@x", RecvID: "b@y", MessageType: MessageText, Version: Version1,
		Type: ChatSingle, MessageID: "m1@x", Content: &TextContent{Message: "hi"}}
}

func validVoice() MessageInfo {
	m := validText()
	m.MessageType, m.FileID = MessageVoice, "f@x"
	m.Content = &VoiceContent{Size: "2048", FileID: "f@x", Duration: "10", MD5: md5}
	return m
}

func TestMessageInfoValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*MessageInfo)
		want string // "" for valid
	}{
		{"text ok", func(*MessageInfo) {}, ""},
		{"voice ok", func(m *MessageInfo) { *m = validVoice() }, ""},
		{"repeal ok", func(m *MessageInfo) { m.MessageType, m.Content = MessageRepeal, &RepealContent{} }, ""},
		{"group ok", func(m *MessageInfo) { m.Type, m.RecvID = ChatGroup, "g1@example.com:443" }, ""},
		{"no sender", func(m *MessageInfo) { m.SenderID = "" }, "senderID: required"},
		{"no receiver", func(m *MessageInfo) { m.RecvID = "" }, "recvID: required"},
		{"bad receiver", func(m *MessageInfo) { m.RecvID = "../b@y" }, `recvID: id "../b@y": local part starts with '.'`},
		{"no messageID", func(m *MessageInfo) { m.MessageID = "" }, "messageID: required"},
		{"no messageType", func(m *MessageInfo) { m.MessageType = "" }, "messageType: required"},
		{"unknown messageType", func(m *MessageInfo) { m.MessageType = "video" }, `messageType: unknown "video": want text, voice, image, file or repeal`},
		{"version", func(m *MessageInfo) { m.Version = "v2" }, `version: want "v1", got "v2"`},
		{"no version", func(m *MessageInfo) { m.Version = "" }, `version: want "v1", got ""`},
		{"type", func(m *MessageInfo) { m.Type = 3 }, "type: want 1 (one-to-one) or 2 (group), got 3"},
		{"no content", func(m *MessageInfo) { m.Content = nil }, "content: required"},
		{"content mismatch", func(m *MessageInfo) { m.Content = &FileContent{} }, `content: holds file content for messageType "text"`},
		{"media without fileID", func(m *MessageInfo) { *m = validVoice(); m.FileID = "" }, "fileID: required"},
		{"bad fileID", func(m *MessageInfo) { *m = validVoice(); m.FileID = "a/b@x" }, `fileID: id "a/b@x": local part contains a path separator`},
		{"bad fileID on text", func(m *MessageInfo) { m.FileID = "nope" }, `fileID: id "nope" has no '@': write local@serverId or local@host:port`},
		{"two fileIDs", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).FileID = "g@x" },
			`content.fileID: "g@x" differs from messageInfo fileID "f@x": send one file id`},
		{"size", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).Size = "-1" }, `content.size: want a whole number of bytes, got "-1"`},
		{"size plus", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).Size = "+1" }, `content.size: want a whole number of bytes, got "+1"`},
		{"duration zero", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).Duration = "0" }, `content.duration: want a positive whole number of seconds, got "0"`},
		{"duration fraction", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).Duration = "1.5" }, `content.duration: want a positive whole number of seconds, got "1.5"`},
		{"md5", func(m *MessageInfo) { *m = validVoice(); m.Content.(*VoiceContent).MD5 = "xyz" }, `content.md5: want 32 hexadecimal digits, got "xyz"`},
		{"image md5", func(m *MessageInfo) {
			m.MessageType, m.FileID, m.Content = MessageImage, "f@x", &ImageContent{MD5: md5 + "0"}
		}, `content.md5: want 32 hexadecimal digits, got "` + md5 + `0"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := validText()
			tc.edit(&m)
			err := m.Validate()
			checkErr(t, err, tc.want)
			// Through ChatRequest the path is prefixed.
			r := ChatRequest{MessageInfo: m}
			want := tc.want
			if want != "" {
				want = "messageInfo." + want
			}
			checkErr(t, r.Validate(), want)
		})
	}
}

func checkErr(t *testing.T, err error, want string) {
	t.Helper()
	if want == "" {
		if err != nil {
			t.Errorf("unexpected error: %v", err)
		}
		return
	}
	var fe *lenient.FieldError
	if err == nil || err.Error() != want || !errors.As(err, &fe) {
		t.Errorf("err = %v\nwant %s (a *lenient.FieldError)", err, want)
	}
}

func TestMessageInfoMarshal(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   MessageInfo
		want string
	}{
		{"text", validText(), `{"senderID":"a@x","recvID":"b@y","messageType":"text","version":"v1","type":1,"messageID":"m1@x","fileID":"","content":{"message":"hi"}}`},
		{"voice", validVoice(), `{"senderID":"a@x","recvID":"b@y","messageType":"voice","version":"v1","type":1,"messageID":"m1@x","fileID":"f@x","content":{"size":"2048","fileID":"f@x","duration":"10","md5":"` + md5 + `"}}`},
		{"image", MessageInfo{MessageType: "image", FileID: "f@x", Content: &ImageContent{Size: "1", Name: "a.png", FileID: "f@x", MD5: md5}},
			`{"senderID":"","recvID":"","messageType":"image","version":"","type":0,"messageID":"","fileID":"f@x","content":{"size":"1","name":"a.png","fileID":"f@x","md5":"` + md5 + `"}}`},
		{"file", MessageInfo{MessageType: "file", Content: &FileContent{Name: "a"}},
			`{"senderID":"","recvID":"","messageType":"file","version":"","type":0,"messageID":"","fileID":"","content":{"size":"","name":"a","fileID":"","md5":""}}`},
		{"repeal", MessageInfo{MessageType: "repeal", Content: &RepealContent{}},
			`{"senderID":"","recvID":"","messageType":"repeal","version":"","type":0,"messageID":"","fileID":"","content":{}}`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := json.Marshal(tc.in)
			if err != nil || string(out) != tc.want {
				t.Fatalf("got  %s %v\nwant %s", out, err, tc.want)
			}
			var back MessageInfo
			if err := json.Unmarshal(out, &back); err != nil || !reflect.DeepEqual(back, tc.in) {
				t.Errorf("round trip: %+v %v", back, err)
			}
		})
	}
}

func FuzzMessageInfo(f *testing.F) {
	for _, s := range []string{
		`{"messageInfo":{"senderID":"a@x","recvID":"b@y","messagetype":"TEXT","version":"v1","type":"1","messageID":"m@x","content":{"message":"hi"}}}`,
		`{"messageInfo":{"messageType":"voice","content":{"size":1,"fileID ":"f@x","duration":"10","md5":""}}}`,
		`{"messageInfo":{"messageType":"repeal"}}`,
		`{"messageInfo":{"messageType":"file","fileID":"f@x","content":{"fileID":"g@x"}}}`,
		`{"messageInfo":null}`,
		`{"messageInfo":{"type":1e400}}`,
		`[]`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var r ChatRequest
		if err := json.Unmarshal(data, &r); err != nil {
			return
		}
		if r.Validate() != nil {
			return
		}
		// A valid request survives a round trip unchanged.
		out, err := json.Marshal(r)
		if err != nil {
			t.Fatal(err)
		}
		var back ChatRequest
		if err := json.Unmarshal(out, &back); err != nil {
			t.Fatalf("re-decoding %s: %v", out, err)
		}
		if !reflect.DeepEqual(back, r) {
			t.Fatalf("round trip changed %+v into %+v", r, back)
		}
	})
}
