package k8saudit

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"time"
)

// auditEvent is a generator of audit.k8s.io/v1 Event records with the
// shape EKS writes to the kube-apiserver-audit streams: every field of the
// real schema that the rules or the alerts read, plus the ones around them
// (level, stage timestamps, annotations) so the rules see realistic input.
type auditEvent struct {
	id          int
	stage       string
	verb        string
	user        string
	groups      []string
	sourceIP    string
	userAgent   string
	resource    string
	subresource string
	namespace   string
	name        string
	uri         string
	code        int
	request     map[string]any // requestObject
	at          time.Time
}

func (e auditEvent) json() string {
	if e.stage == "" {
		e.stage = "ResponseComplete"
	}
	if e.code == 0 {
		e.code = 200
	}
	if e.at.IsZero() {
		e.at = time.Date(2024, 5, 1, 12, 0, 0, 0, time.UTC).Add(time.Duration(e.id) * time.Second)
	}
	if e.uri == "" {
		e.uri = "/api/v1"
		if e.namespace != "" {
			e.uri += "/namespaces/" + e.namespace
		}
		if e.resource != "" {
			e.uri += "/" + e.resource
		}
		if e.name != "" {
			e.uri += "/" + e.name
		}
		if e.subresource != "" {
			e.uri += "/" + e.subresource
		}
	}
	ev := map[string]any{
		"kind":       "Event",
		"apiVersion": "audit.k8s.io/v1",
		"level":      "Metadata",
		"auditID":    fmt.Sprintf("5c4f9b2e-%04x-4d3b-9a7e-%012x", e.id%0xffff, e.id),
		"stage":      e.stage,
		"requestURI": e.uri,
		"verb":       e.verb,
		"user": map[string]any{
			"username": e.user,
			"uid":      fmt.Sprintf("uid-%d", len(e.user)),
			"groups":   e.groups,
		},
		"sourceIPs":                []string{e.sourceIP},
		"userAgent":                e.userAgent,
		"responseStatus":           map[string]any{"metadata": map[string]any{}, "code": e.code},
		"requestReceivedTimestamp": e.at.Format(time.RFC3339Nano),
		"stageTimestamp":           e.at.Add(3 * time.Millisecond).Format(time.RFC3339Nano),
		"annotations": map[string]any{
			"authorization.k8s.io/decision": "allow",
			"authorization.k8s.io/reason":   "EKS Access Policy: allowed by ClusterRoleBinding",
		},
	}
	if e.resource != "" {
		ref := map[string]any{"resource": e.resource, "apiVersion": "v1"}
		if e.namespace != "" {
			ref["namespace"] = e.namespace
		}
		if e.name != "" {
			ref["name"] = e.name
		}
		if e.subresource != "" {
			ref["subresource"] = e.subresource
		}
		ev["objectRef"] = ref
	}
	if e.request != nil {
		ev["level"] = "RequestResponse"
		ev["requestObject"] = e.request
	}
	if e.code >= 400 {
		ev["annotations"] = map[string]any{"authorization.k8s.io/decision": "forbid"}
	}
	b, err := json.Marshal(ev)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func pod(spec map[string]any) map[string]any {
	return map[string]any{"kind": "Pod", "apiVersion": "v1", "metadata": map[string]any{"name": "x"}, "spec": spec}
}

func container(name string, sc map[string]any) map[string]any {
	c := map[string]any{"name": name, "image": "public.ecr.aws/docker/library/nginx:1.25"}
	if sc != nil {
		c["securityContext"] = sc
	}
	return c
}

// Identities seen on a healthy EKS cluster.
var (
	developer   = []string{"arn:aws:sts::123456789012:assumed-role/developer/alice", "system:authenticated"}
	admin       = []string{"kubernetes-admin", "system:masters", "system:authenticated"}
	controllers = []string{
		"system:serviceaccount:kube-system:replicaset-controller",
		"system:serviceaccount:kube-system:deployment-controller",
		"system:kube-controller-manager",
		"system:kube-scheduler",
		"eks:certificate-controller",
	}
)

// benignEvents generates n events of an ordinary day on a cluster:
// controllers and nodes at work, developers reading and deploying, probes,
// a few denied requests, and the RequestReceived stage of everything.
func benignEvents(n int, seed uint64) []string {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	pick := func(s []string) string { return s[r.IntN(len(s))] }
	privateIP := func() string { return fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), 1+r.IntN(254)) }
	namespaces := []string{"default", "payments", "web", "monitoring"}
	var out []string
	for i := 0; i < n; i++ {
		var e auditEvent
		switch k := r.IntN(14); k {
		case 0: // a controller updates a lease in kube-system
			e = auditEvent{verb: "update", user: pick(controllers), groups: []string{"system:authenticated"},
				resource: "leases", namespace: "kube-system", name: "kube-controller-manager"}
		case 1: // the kubelet requests a projected token for a pod
			e = auditEvent{verb: "create", user: fmt.Sprintf("system:node:ip-10-0-%d-%d.ec2.internal", r.IntN(255), r.IntN(255)),
				groups: []string{"system:nodes", "system:authenticated"}, resource: "serviceaccounts", subresource: "token",
				namespace: pick(namespaces), name: "default"}
		case 2: // a developer lists pods
			e = auditEvent{verb: "list", user: developer[0], groups: developer[1:], resource: "pods", namespace: pick(namespaces)}
		case 3: // the replicaset controller creates an ordinary pod
			e = auditEvent{verb: "create", user: controllers[0], groups: []string{"system:serviceaccounts"},
				resource: "pods", namespace: pick(namespaces),
				request: pod(map[string]any{"containers": []any{container("app", map[string]any{"runAsNonRoot": true, "privileged": false})}})}
		case 4: // kube-system's DaemonSets create node agents with host networking
			e = auditEvent{verb: "create", user: "system:serviceaccount:kube-system:daemon-set-controller", groups: []string{"system:serviceaccounts"},
				resource: "pods", namespace: "kube-system",
				request: pod(map[string]any{"hostNetwork": true, "containers": []any{container("aws-node", map[string]any{"privileged": true})}})}
		case 5: // probes of anonymous health endpoints
			e = auditEvent{verb: "get", user: "system:anonymous", groups: []string{"system:unauthenticated"},
				uri: pick([]string{"/healthz", "/livez", "/readyz?verbose", "/version"})}
		case 6: // a control-plane component reads a secret
			e = auditEvent{verb: "get", user: pick(controllers), groups: []string{"system:authenticated"},
				resource: "secrets", namespace: pick(namespaces), name: "app-tls"}
		case 7: // the node reads the secrets of its pods
			e = auditEvent{verb: "get", user: "system:node:ip-10-0-1-2.ec2.internal", groups: []string{"system:nodes"},
				resource: "secrets", namespace: pick(namespaces), name: "db-credentials"}
		case 8: // a developer is denied reading a secret
			e = auditEvent{verb: "get", user: developer[0], groups: developer[1:], resource: "secrets",
				namespace: "payments", name: "db-credentials", code: 403}
		case 9: // a deployment rolls out
			e = auditEvent{verb: "patch", user: developer[0], groups: developer[1:], resource: "deployments",
				namespace: pick(namespaces), name: "api"}
		case 10: // a RoleBinding to a namespaced role
			e = auditEvent{verb: "create", user: admin[0], groups: admin[1:], resource: "rolebindings", namespace: "payments",
				request: map[string]any{"kind": "RoleBinding", "roleRef": map[string]any{"kind": "Role", "name": "viewer"}}}
		case 11: // an expired token now and then, from its own address: far below the burst threshold.
			// Authentication failed, so the event carries no user.
			e = auditEvent{verb: "get", resource: "pods", namespace: "default", code: 401}
		case 12: // the namespace controller cleans up events of a deleted namespace
			e = auditEvent{verb: "deletecollection", user: "system:serviceaccount:kube-system:namespace-controller",
				groups: []string{"system:serviceaccounts"}, resource: "events", namespace: "old-feature"}
		case 13: // the RequestReceived stage of an exec: the rule sees its later stages
			e = auditEvent{stage: "RequestReceived", verb: "create", user: admin[0], groups: admin[1:],
				resource: "pods", subresource: "exec", namespace: "web", name: "web-1"}
		}
		e.sourceIP = privateIP()
		e.userAgent = pick([]string{"kubectl/v1.29.3 (linux/amd64) kubernetes/6813625", "kube-controller-manager/v1.29.3-eks", "kubelet/v1.29.3-eks"})
		e.id = i
		out = append(out, e.json())
	}
	return out
}
