package web

// endpoints lists every resource of the explorer: its API path under
// /api/v1 and the page that renders the same answer (spec/api.md).
func (s *Server) endpoints() []endpoint {
	return []endpoint{
		{path: "/overview", page: "overview", load: s.loadOverview},
		{path: "/account/{addr}", page: "account", load: s.loadAccount},
		{path: "/asset/{id}", page: "asset", load: s.loadAsset},
		{path: "/agreement/{id}", page: "agreement", load: s.loadAgreement},
		{path: "/lens/{handle}", page: "lens", load: s.loadLens},
		{path: "/pool/{id}", page: "pool", load: s.loadPool},
		{path: "/quote", load: s.loadQuote},
		{path: "/tx/{hash}", page: "tx", load: s.loadTx},
		{path: "/block/{height}", page: "block", load: s.loadBlock},
		{path: "/light/{height}", load: s.loadLight},
	}
}
