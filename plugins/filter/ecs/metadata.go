package ecs

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// maxResponse bounds a metadata response; a task's is a few KiB.
const maxResponse = 4 << 20

// The responses of the ECS agent introspection API
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-introspection.html)
// and of the task metadata endpoint v4
// (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/task-metadata-endpoint-v4.html),
// decoded once per task.
type (
	agentMetadata struct {
		Cluster              string `json:"Cluster"`
		ContainerInstanceArn string `json:"ContainerInstanceArn"`
		Version              string `json:"Version"`
	}
	agentTask struct {
		Arn        string `json:"Arn"`
		Family     string `json:"Family"`
		Version    string `json:"Version"`
		Containers []struct {
			DockerID   string `json:"DockerId"`
			DockerName string `json:"DockerName"`
			Name       string `json:"Name"`
		} `json:"Containers"`
	}
	v4Task struct {
		Cluster    string `json:"Cluster"`
		TaskARN    string `json:"TaskARN"`
		Family     string `json:"Family"`
		Revision   string `json:"Revision"`
		Containers []struct {
			DockerID   string `json:"DockerId"`
			DockerName string `json:"DockerName"`
			Name       string `json:"Name"`
		} `json:"Containers"`
	}
)

// task is what one lookup learns: the cluster's and task's metadata and
// each container's, keyed by the 12-character short container ID.
type task struct {
	cluster map[string]string
	// byShortID and byName hold the full metadata of each container.
	byShortID map[string]map[string]string
	byName    map[string]map[string]string
	// taskOnly is the cluster and task metadata without a container, for
	// records of the task whose container is not known (v4 only).
	taskOnly map[string]string
}

// idFromARN returns what follows the last '/' of an ARN, as Fluent Bit's
// parse_id_from_arn does ("" when there is none).
func idFromARN(arn string) string {
	i := strings.LastIndexByte(arn, '/')
	if i <= 0 || i >= len(arn)-1 {
		return ""
	}
	return arn[i+1:]
}

// shortID is the 12-character prefix Docker shows of a container ID.
func shortID(id string) string {
	if len(id) < 12 {
		return id
	}
	return id[:12]
}

func getJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "Sluice")
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	if resp.StatusCode != http.StatusOK {
		s := strings.TrimSpace(string(body))
		if len(s) > 200 {
			s = s[:200] + "…"
		}
		return fmt.Errorf("GET %s: HTTP %d: %s", url, resp.StatusCode, s)
	}
	if err := json.Unmarshal(body, v); err != nil {
		return fmt.Errorf("GET %s: %w", url, err)
	}
	return nil
}

// agentCluster fetches /v1/metadata from the ECS agent.
func agentCluster(ctx context.Context, client *http.Client, base string) (map[string]string, error) {
	var m agentMetadata
	if err := getJSON(ctx, client, base+"/v1/metadata", &m); err != nil {
		return nil, err
	}
	if m.Cluster == "" || m.ContainerInstanceArn == "" {
		return nil, fmt.Errorf("GET %s/v1/metadata: no Cluster or ContainerInstanceArn in the response", base)
	}
	return map[string]string{
		"ClusterName":          m.Cluster,
		"ContainerInstanceArn": m.ContainerInstanceArn,
		"ContainerInstanceID":  idFromARN(m.ContainerInstanceArn),
		"ECSAgentVersion":      m.Version,
	}, nil
}

// agentTaskOf fetches the task of a container from the ECS agent by its
// short ID.
func agentTaskOf(ctx context.Context, client *http.Client, base, id string, cluster map[string]string) (*task, error) {
	var t agentTask
	if err := getJSON(ctx, client, base+"/v1/tasks?dockerid="+id, &t); err != nil {
		return nil, err
	}
	if t.Arn == "" || t.Family == "" {
		return nil, fmt.Errorf("GET %s/v1/tasks?dockerid=%s: no Arn or Family in the response", base, id)
	}
	out := newTask(cluster, t.Arn, t.Family, t.Version)
	for _, c := range t.Containers {
		out.addContainer(c.DockerID, c.DockerName, c.Name)
	}
	return out, nil
}

// v4TaskOf fetches <ECS_CONTAINER_METADATA_URI_V4>/task.
func v4TaskOf(ctx context.Context, client *http.Client, base string) (*task, error) {
	var t v4Task
	if err := getJSON(ctx, client, base+"/task", &t); err != nil {
		return nil, err
	}
	if t.TaskARN == "" {
		return nil, fmt.Errorf("GET %s/task: no TaskARN in the response", base)
	}
	// On Fargate Cluster is the cluster's ARN; the name follows "cluster/".
	name := t.Cluster
	if strings.HasPrefix(name, "arn:") {
		if id := idFromARN(name); id != "" {
			name = id
		}
	}
	// The task metadata endpoint does not tell the container instance or
	// the agent's version: those keys render empty.
	out := newTask(map[string]string{"ClusterName": name}, t.TaskARN, t.Family, t.Revision)
	for _, c := range t.Containers {
		out.addContainer(c.DockerID, c.DockerName, c.Name)
	}
	return out, nil
}

func newTask(cluster map[string]string, arn, family, version string) *task {
	t := &task{cluster: cluster, byShortID: map[string]map[string]string{}, byName: map[string]map[string]string{}}
	t.taskOnly = merge(cluster, map[string]string{
		"TaskARN": arn, "TaskID": idFromARN(arn), "TaskDefinitionFamily": family, "TaskDefinitionVersion": version,
	})
	return t
}

func (t *task) addContainer(dockerID, dockerName, name string) {
	if dockerID == "" {
		return
	}
	m := merge(t.taskOnly, map[string]string{"ContainerID": dockerID, "DockerContainerName": dockerName, "ECSContainerName": name})
	t.byShortID[shortID(dockerID)] = m
	if name != "" {
		t.byName[name] = m
	}
}

func merge(a, b map[string]string) map[string]string {
	m := make(map[string]string, len(a)+len(b))
	for k, v := range a {
		m[k] = v
	}
	for k, v := range b {
		m[k] = v
	}
	return m
}
