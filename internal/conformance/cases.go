package conformance

// Cases is the whole suite, in the order it runs: the security cases
// first (nothing else is worth judging if they fail), then the envelope,
// then each interface, the group ones after the one-to-one ones.
func Cases() []Case {
	var all []Case
	for _, area := range [][]Case{securityCases, envelopeCases, userCases, chatCases, fileCases, friendCases, groupCases, mgmtCases} {
		all = append(all, area...)
	}
	return all
}
