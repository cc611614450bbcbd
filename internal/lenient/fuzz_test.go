package lenient_test

import (
	"encoding/json"
	"reflect"
	"testing"

	"github.com/imictl/imictl/internal/lenient"
	"github.com/imictl/imictl/internal/mgmt/api"
	"github.com/imictl/imictl/internal/sns/wire"
)

// fuzzTypes are decoded from every input, each with and without the fast
// path: the wire types whose shapes cover what the fast path handles
// (nested types, lists of them, pointers, trimmed ids, lenient scalars,
// MessageInfo's typed content).
var fuzzTypes = []func() any{
	func() any { return new(api.ServersResponse) },
	func() any { return new(api.ServersQuery) },
	func() any { return new(api.StatusResponse) },
	func() any { return new(wire.ChatRequest) },
	func() any { return new(wire.FindUsersResponse) },
	func() any { return new(wire.UserResponse) },
	func() any { return new(wire.UpdateGroupInfoRequest) },
	func() any { return new(wire.GroupMembersResponse) },
	func() any { return new(wire.GroupChatHistoryResponse) },
}

// FuzzFastPath is the differential test of Decode's fast path: for every
// input, decoding with it must give exactly what the general path gives,
// the same value or the same error, for every type above.
func FuzzFastPath(f *testing.F) {
	for _, seed := range fuzzSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, newValue := range fuzzTypes {
			fast, fastErr := decodeWith(true, data, newValue())
			slow, slowErr := decodeWith(false, data, newValue())
			if errText(fastErr) != errText(slowErr) {
				t.Fatalf("%T from %q: fast path error %v, general path %v", slow, data, fastErr, slowErr)
			}
			if !reflect.DeepEqual(fast, slow) {
				t.Fatalf("%T from %q:\nfast path    %#v\ngeneral path %#v", slow, data, fast, slow)
			}
		}
	})
}

func decodeWith(fast bool, data []byte, v any) (any, error) {
	lenient.SetFastPath(fast)
	defer lenient.SetFastPath(true)
	err := json.Unmarshal(data, v)
	return v, err
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// fuzzSeeds are canonical encodings of the types and the irregular input
// peers send (spellings, numbers as strings, nulls, white space, escapes,
// duplicates, unknown keys, malformed JSON).
func fuzzSeeds(f *testing.F) [][]byte {
	var seeds [][]byte
	for _, v := range []any{
		api.ServersResponse{Servers: []api.ServerRecord{
			{ServerID: "a-im", ServerName: "A", ProductType: "imictl", ServerAddress: "https://a.example.com", ContactName: "Ops", ContactEmail: "ops@a.example.com", ContactMobile: "+86 135", Area: "CN"},
			{ServerID: "b-im", Status: api.ServerCancelled},
		}, ServerTime: 1700000000000},
		api.ServersQuery{ServerIDs: []string{"a-im"}, LastQueryTime: 5},
		wire.ChatRequest{MessageInfo: wire.MessageInfo{SenderID: "a@x", RecvID: "b@y", MessageType: wire.MessageText, Version: wire.Version1, Type: wire.ChatSingle, MessageID: "m1@x", Content: &wire.TextContent{Message: "你好 \"hi\"\n"}}},
		wire.ChatRequest{MessageInfo: wire.MessageInfo{SenderID: "a@x", RecvID: "b@y", MessageType: wire.MessageFile, Version: wire.Version1, Type: wire.ChatSingle, MessageID: "m2@x", FileID: "f@x", Content: &wire.FileContent{Name: "a.txt", Size: "10"}}},
		wire.FindUsersResponse{Users: []wire.UserInfo{{UserID: "u@abc", Name: "U", UpdateTime: 1}}},
		wire.UpdateGroupInfoRequest{OwnerID: "u@abc", GSet: &wire.GroupSettings{IsAllow: wire.Yes}, GroupInfo: &wire.GroupInfo{GroupID: "g@abc"}},
		wire.GroupMembersResponse{Members: []wire.GroupMember{{UserType: wire.MemberOwner, UserInfo: wire.UserInfo{UserID: "u@abc"}}}},
	} {
		b, err := json.Marshal(v)
		if err != nil {
			f.Fatal(err)
		}
		seeds = append(seeds, b)
	}
	for _, s := range []string{
		`{"servers":[{"serverID":" a-im ","serverType":"x","serverStatus":"1"}],"serverTime":"17","code":"0"}`,
		`{"servers":null,"code":null,"error":null}`,
		`{"servers":[],"servers":[]}`,
		`{"serverIds":[" a-im",7,null],"lastQueryTime":1.5}`,
		`{"lastQueryTime":99999999999999999999}`,
		`{"lastQueryTime":-0,"other":{"deep":[1,{"x":null}],"s":"\u00e9\ud83d\ude00"}}`,
		`{"messageInfo":{"messageType":" TEXT ","content":{"message":12},"senderID":"\ta@x"}}`,
		`{"messageInfo":{"messageType":"image","fileID":"f@x","content":{"fileID":"","size":"3"}}}`,
		`{"users":[{"userID":"u@abc","updateTime":"12"},{}]}`,
		`{"Users":[{"USERID":"u@abc"}]," code ":0}`,
		`{"userInfo":{"userID":"caf\u00e9"}}`,
		"{\"userInfo\":{\"userID\":\"a\xffb\"}}",
		"\u00a0{\"code\":0}\u00a0",
		` {"code":0} `,
		`{"code":0}{}`,
		`{"code":0,}`,
		`{"code":01}`,
		`{"code":1e3}`,
		`{"code":true}`,
		`{"members":[{"userType":1},{"userType":"x"}]}`,
		`{"gset":{"isAllow":1},"gset":null}`,
		`{"groupInfo":null,"gset":{}}`,
		`{"a":"\x"}`,
		`{"a":[`,
		`null`,
		`[]`,
		``,
	} {
		seeds = append(seeds, []byte(s))
	}
	return seeds
}
