package httpsig

import (
	"slices"
	"testing"
)

func TestPolicy(t *testing.T) {
	p := NewPolicy()
	check := func(step string, want map[string]bool) {
		t.Helper()
		for id, ok := range want {
			if p.Allowed(id) != ok {
				t.Errorf("%s: Allowed(%q) = %v, want %v", step, id, !ok, ok)
			}
		}
	}
	check("default", map[string]bool{"a": true, "b": true})
	p.SetDenyList([]string{"b"})
	check("deny b", map[string]bool{"a": true, "b": false})
	p.SetAllowList([]string{"a", "b"})
	check("allow a,b; deny b", map[string]bool{"a": true, "b": false, "c": false})
	p.SetAllowList([]string{})
	check("empty allow list", map[string]bool{"a": false})
	p.SetAllowList(nil)
	p.SetDenyList(nil)
	check("lists cleared", map[string]bool{"a": true, "b": true})
	p.SetAllowList([]string{"z", "a"})
	if allow, deny := p.Lists(); !slices.Equal(allow, []string{"a", "z"}) || deny != nil {
		t.Errorf("Lists() = %v, %v", allow, deny)
	}
}

func TestPolicyConcurrentUpdates(t *testing.T) {
	p := NewPolicy()
	done := make(chan bool)
	go func() {
		for range 200 {
			p.SetDenyList([]string{"x"})
		}
		done <- true
	}()
	for range 200 {
		p.SetAllowList([]string{"x", "y"})
		p.Allowed("y")
	}
	<-done
	if allow, deny := p.Lists(); len(allow) != 2 || len(deny) != 1 {
		t.Fatalf("a concurrent update was lost: allow %v deny %v", allow, deny)
	}
}

// The servers a policy is made with are allowed whatever the lists say.
func TestPolicyAlways(t *testing.T) {
	p := NewPolicy("center-im")
	p.SetAllowList([]string{"alpha-im"})
	p.SetDenyList([]string{"center-im", "beta-im"})
	for id, want := range map[string]bool{"center-im": true, "alpha-im": true, "beta-im": false, "gamma-im": false} {
		if got := p.Allowed(id); got != want {
			t.Errorf("Allowed(%s) = %v, want %v", id, got, want)
		}
	}
}
