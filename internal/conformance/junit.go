package conformance

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"
)

// JUnit XML, as CI systems (Jenkins, GitLab, GitHub actions' reporters)
// read it: one testsuite, one testcase per case, named by its ID, with
// its area as the class name.
type junitSuites struct {
	XMLName  xml.Name     `xml:"testsuites"`
	Tests    int          `xml:"tests,attr"`
	Failures int          `xml:"failures,attr"`
	Skipped  int          `xml:"skipped,attr"`
	Time     string       `xml:"time,attr"`
	Suites   []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name     string      `xml:"name,attr"`
	Tests    int         `xml:"tests,attr"`
	Failures int         `xml:"failures,attr"`
	Errors   int         `xml:"errors,attr"`
	Skipped  int         `xml:"skipped,attr"`
	Time     string      `xml:"time,attr"`
	Cases    []junitCase `xml:"testcase"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	Time      string        `xml:"time,attr"`
	Failure   *junitMessage `xml:"failure"`
	Skipped   *junitMessage `xml:"skipped"`
	SystemOut string        `xml:"system-out,omitempty"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
	Text    string `xml:",chardata"`
}

// WriteJUnit writes the report as JUnit XML. Text from the target (in
// failure details) is escaped, and characters XML cannot carry are
// replaced, so the document is always well-formed.
func WriteJUnit(w io.Writer, r *Report) error {
	s := junitSuite{Name: "imictl conformance " + r.Target.ServerID, Tests: len(r.Results), Failures: r.Failed, Skipped: r.Skipped,
		Time: seconds(r.Duration), Cases: make([]junitCase, 0, len(r.Results))}
	for _, res := range r.Results {
		c := junitCase{Name: res.ID, Classname: "conformance." + res.Area, Time: seconds(res.Duration), SystemOut: res.Title}
		switch res.Status {
		case Fail:
			c.Failure = &junitMessage{Message: res.Detail, Text: res.Title + "\n" + res.Detail}
		case Skip:
			c.Skipped = &junitMessage{Message: res.Detail}
		}
		s.Cases = append(s.Cases, c)
	}
	doc := junitSuites{Tests: s.Tests, Failures: s.Failures, Skipped: s.Skipped, Time: s.Time, Suites: []junitSuite{s}}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

func seconds(d time.Duration) string { return fmt.Sprintf("%.3f", d.Seconds()) }
