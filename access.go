package patchwork

// The access rules of docs/security.md ("Who may see what") as plain functions, so
// that they are easy to read and test. The store calls them; handlers never
// decide on their own who may see a client.

// CanUse reports whether a caller may use Patchwork at all.
func CanUse(caller *Agent) bool { return caller != nil && caller.Active }

// CanViewClient reports whether the caller may see a client's profile:
// only current members of the client's team (rule 1).
func CanViewClient(caller *Agent, isMember bool) bool { return CanUse(caller) && isMember }

// CanSearch reports whether the caller may search for clients (rule 2).
func CanSearch(caller *Agent) bool { return CanUse(caller) }

// CanJoin reports whether the caller may join a team they are not on
// (rule 3); the declaration and lawful basis are checked by JoinRequest.
func CanJoin(caller *Agent, isMember bool) bool { return CanUse(caller) && !isMember }

// CanAdminister reports whether the caller may use admin functions. The
// system caller (NewSystemContext) may too; the store checks that from the
// context, since it is no agent.
func CanAdminister(caller *Agent) bool { return CanUse(caller) && caller.Admin }
