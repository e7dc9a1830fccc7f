package web

// RoutePatterns returns every pattern s registers, from the one list it
// registers them from.
func RoutePatterns(s *Server) []string {
	var out []string
	for _, rt := range s.routeList() {
		out = append(out, rt.pattern)
	}
	return out
}

// RouteAccess says who may reach the route registered as pattern:
// "public", "agent" or "admin".
func RouteAccess(pattern string) string { return routeAccess(pattern) }
