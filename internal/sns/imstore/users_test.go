package imstore

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestUsers(t *testing.T) {
	s, c := openTest(t)
	u, err := s.AddUser(User{UserID: "13500001111", Name: "Li Lei", PhoneNumber: "13500001111"})
	if err != nil || u.VerifyType != VerifyAnyone || !u.CreatedAt.Equal(c.Now()) {
		t.Fatalf("AddUser: %+v %v", u, err)
	}
	_, err = s.AddUser(User{UserID: "han.meimei", Name: "Han MeiMei", PhoneNumber: "+86 139", VerifyType: VerifyNobody})
	must(t, err)
	c.Add(time.Minute)
	u.Name, u.Portrait = "LI Lei", "https://img.example.com/li.png"
	u, err = s.UpdateUser(u)
	if err != nil || u.Name != "LI Lei" || !u.UpdatedAt.Equal(c.Now()) || u.CreatedAt.Equal(c.Now()) {
		t.Fatalf("UpdateUser: %+v %v", u, err)
	}
	got, err := s.GetUser("13500001111")
	if err != nil || got != u {
		t.Fatalf("GetUser: %+v %v", got, err)
	}
	list, err := s.ListUsers()
	if err != nil || len(list) != 2 || list[0].UserID != "13500001111" {
		t.Fatalf("ListUsers: %+v %v", list, err)
	}

	long := strings.Repeat("x", 65)
	checkRefusals(t, s, []refusal{
		{"duplicate", func() error { _, err := s.AddUser(User{UserID: "han.meimei", Name: "X"}); return err }, ErrExists, `user "han.meimei" already exists; nothing was changed`},
		{"no name", func() error { _, err := s.AddUser(User{UserID: "x"}); return err }, ErrInvalid, "invalid name: required"},
		{"bad id", func() error { _, err := s.AddUser(User{UserID: "a/b", Name: "X"}); return err }, ErrInvalid, `invalid userID: "a/b": use 1-64 letters`},
		{"leading dot", func() error { _, err := s.AddUser(User{UserID: ".a", Name: "X"}); return err }, ErrInvalid, "invalid userID"},
		{"double dot", func() error { _, err := s.AddUser(User{UserID: "a..b", Name: "X"}); return err }, ErrInvalid, "invalid userID"},
		{"too long id", func() error { _, err := s.AddUser(User{UserID: long, Name: "X"}); return err }, ErrInvalid, "invalid userID"},
		{"control in name", func() error { _, err := s.AddUser(User{UserID: "x", Name: "a\x1b[31m"}); return err }, ErrInvalid, "invalid name: contains control character U+001B"},
		{"bad verifyType", func() error { _, err := s.AddUser(User{UserID: "x", Name: "X", VerifyType: 3}); return err }, ErrInvalid, "invalid verifyType: 3: want 1 (nobody may add) or 2 (may add)"},
		{"long phone", func() error {
			_, err := s.AddUser(User{UserID: "x", Name: "X", PhoneNumber: strings.Repeat("1", 65)})
			return err
		}, ErrInvalid, "invalid user.phoneNumber: 65 bytes, at most 64"},
		{"update unknown", func() error { _, err := s.UpdateUser(User{UserID: "nobody", Name: "X"}); return err }, ErrNotFound, `no user "nobody"`},
	})
}

func TestFindUsersSearchesNameAndPhoneOnly(t *testing.T) {
	s, _ := openTest(t)
	for i, u := range []User{
		{UserID: "u1", Name: "Zhang San", PhoneNumber: "13500001111"},
		{UserID: "u2", Name: "zhang si", PhoneNumber: "13600002222"},
		{UserID: "u3", Name: "Wang Wu", PhoneNumber: "13700003333", Remark: "zhang's friend"},
		{UserID: "zhang", Name: "Li", PhoneNumber: ""},
	} {
		if _, err := s.AddUser(u); err != nil {
			t.Fatal(i, err)
		}
	}
	for _, tc := range []struct {
		query string
		limit int
		want  string
	}{
		{"ZHANG", 0, "[u1 u2]"}, // not u3 (remark) nor "zhang" (userID)
		{"zhang", 1, "[u1]"},
		{"  0000  ", 0, "[u1 u2 u3]"},
		{"13600002222", 0, "[u2]"},
		{"nobody", 0, "[]"},
	} {
		users, err := s.FindUsers(tc.query, tc.limit)
		must(t, err)
		var ids []string
		for _, u := range users {
			ids = append(ids, u.UserID)
		}
		if got := fmt.Sprint(ids); got != tc.want {
			t.Errorf("FindUsers(%q, %d) = %s, want %s", tc.query, tc.limit, got, tc.want)
		}
	}
	if _, err := s.FindUsers("  ", 5); err == nil || !strings.Contains(err.Error(), "invalid queryStr: required") {
		t.Fatalf("empty query: %v", err)
	}
}

func TestFindUsersIsBounded(t *testing.T) {
	s, _ := openTest(t)
	for i := range MaxFindResults + 5 {
		addUser(t, s, fmt.Sprintf("u%03d", i), "Same Name")
	}
	users, err := s.FindUsers("same", 10_000)
	if err != nil || len(users) != MaxFindResults {
		t.Fatalf("%d users, %v", len(users), err)
	}
}
