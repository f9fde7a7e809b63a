package k8saudit

// recentSet remembers the last n keys added, forgetting the oldest first.
type recentSet struct {
	keys map[string]struct{}
	ring []string
	next int
}

func (s *recentSet) init(n int) {
	s.keys = make(map[string]struct{}, n)
	s.ring = make([]string, n)
}

// add inserts key and reports whether it was new.
func (s *recentSet) add(key string) bool {
	if _, ok := s.keys[key]; ok {
		return false
	}
	if old := s.ring[s.next]; old != "" {
		delete(s.keys, old)
	}
	s.ring[s.next] = key
	s.keys[key] = struct{}{}
	s.next = (s.next + 1) % len(s.ring)
	return true
}
