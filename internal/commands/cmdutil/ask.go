package cmdutil

import (
	"strings"

	"github.com/imictl/imictl/internal/commands/prompt"
)

// RequireValue returns current if set. Otherwise it asks through ask when a
// person can answer, and without a terminal it returns a usage error naming
// --flag. An empty answer is a usage error too.
//
//	id, err := cmdutil.RequireValue(f, "server-id", opts.ServerID, func(p prompt.Prompter) (string, error) {
//		return p.Input("Server id", "", pki.ValidateServerID)
//	})
func RequireValue(f *Factory, flag, current string, ask func(prompt.Prompter) (string, error)) (string, error) {
	if current != "" {
		return current, nil
	}
	if !f.IOStreams.CanPrompt() {
		return "", UsageError("--%s is required (no terminal to ask for it)", flag)
	}
	v, err := ask(f.Prompter())
	if err != nil {
		return "", err
	}
	if v == "" {
		return "", UsageError("--%s is required", flag)
	}
	return v, nil
}

// FillMissing checks a set of required values that flags may have given
// (a registration form, say). Given values are validated; missing ones are
// asked for on one form when a person can answer; without a terminal the
// usage error lists every missing flag at once.
func FillMissing(f *Factory, fields []prompt.Field) error {
	var missing []prompt.Field
	for _, fl := range fields {
		if *fl.Value == "" {
			missing = append(missing, fl)
			continue
		}
		if fl.Validate != nil {
			if err := fl.Validate(*fl.Value); err != nil {
				return UsageError("invalid --%s: %v", fl.Flag, err)
			}
		}
	}
	if len(missing) == 0 {
		return nil
	}
	if !f.IOStreams.CanPrompt() {
		return UsageError("missing required %s (no terminal to ask for them)", flagList(missing))
	}
	if err := f.Prompter().Form(missing); err != nil {
		return err
	}
	var still []prompt.Field
	for _, fl := range missing {
		if *fl.Value == "" {
			still = append(still, fl)
		}
	}
	if len(still) > 0 {
		return UsageError("missing required %s", flagList(still))
	}
	return nil
}

func flagList(fields []prompt.Field) string {
	names := make([]string, len(fields))
	for i, fl := range fields {
		names[i] = "--" + fl.Flag
	}
	if len(names) == 1 {
		return "flag " + names[0]
	}
	return "flags " + strings.Join(names, ", ")
}

// ConfirmDestructive guards an action that cannot be undone. With --yes it
// proceeds; on a terminal it asks (default no) and a "no" is ErrCancelled
// (exit 3); without a terminal it is a usage error telling to pass --yes.
func ConfirmDestructive(f *Factory, yes bool, question string) error {
	if yes {
		return nil
	}
	if !f.IOStreams.CanPrompt() {
		return UsageError("%s: confirmation needed and there is no terminal to ask; pass --yes to proceed", strings.TrimSuffix(question, "?"))
	}
	ok, err := f.Prompter().Confirm(question, false)
	if err != nil {
		return err
	}
	if !ok {
		return ErrCancelled
	}
	return nil
}
