package conformance

// Cases is the whole suite, in the order it runs: the security cases
// first (nothing else is worth judging if they fail), then the envelope,
// then each interface.
func Cases() []Case {
	var all []Case
	for _, area := range [][]Case{securityCases, envelopeCases, userCases, chatCases, fileCases, friendCases, mgmtCases} {
		all = append(all, area...)
	}
	return all
}
