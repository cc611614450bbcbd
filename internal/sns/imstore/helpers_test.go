package imstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.etcd.io/bbolt"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func newClock() *clock { return &clock{t: time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func openTest(t testing.TB) (*Store, *clock) {
	t.Helper()
	c := newClock()
	s, err := Open(filepath.Join(t.TempDir(), "im.db"), Options{Now: c.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, c
}

func addUser(t testing.TB, s *Store, id, name string) User {
	t.Helper()
	u, err := s.AddUser(User{UserID: id, Name: name, PhoneNumber: "1350000" + fmt.Sprint(len(id))})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

// textMsg is a one-to-one text message from a remote sender.
func textMsg(id, from, to, text string) Message {
	body, _ := json.Marshal(map[string]string{"message": text})
	return Message{MessageID: id, From: from, To: to, Type: 1, MessageType: "text", Content: body}
}

// chatSend is an S1 call for msg to destination.
func chatSend(dest string, msg Message) Send {
	body, _ := json.Marshal(map[string]any{"messageInfo": msg})
	return Send{Destination: dest, Conversation: DirectConversation(msg.From, msg.To), Path: "/sns/chat", Body: body, MessageID: msg.MessageID, FileID: msg.FileID}
}

// dump is every key and value in the database, bucket sequences included,
// to assert that a refused operation changed nothing.
func dump(t testing.TB, s *Store) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.db.View(func(tx *bbolt.Tx) error {
		return tx.ForEach(func(name []byte, b *bbolt.Bucket) error {
			out[string(name)+"/"] = fmt.Sprint(b.Sequence())
			return b.ForEach(func(k, v []byte) error {
				out[string(name)+"/"+string(k)] = string(v)
				return nil
			})
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func assertUnchanged(t testing.TB, before, after map[string]string) {
	t.Helper()
	for k, v := range before {
		if w, ok := after[k]; !ok || w != v {
			t.Errorf("key %q changed: %q -> %q", k, v, w)
		}
	}
	for k, v := range after {
		if _, ok := before[k]; !ok {
			t.Errorf("key %q added: %q", k, v)
		}
	}
}

// refusal is one bad call: it must fail with an error matching kind whose
// text contains want, and leave the database as it was.
type refusal struct {
	name string
	call func() error
	kind error
	want string
}

func checkRefusals(t *testing.T, s *Store, cases []refusal) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			before := dump(t, s)
			err := tc.call()
			if !errors.Is(err, tc.kind) || !strings.Contains(fmt.Sprint(err), tc.want) {
				t.Fatalf("got %v, want %v containing %q", err, tc.kind, tc.want)
			}
			assertUnchanged(t, before, dump(t, s))
		})
	}
}
