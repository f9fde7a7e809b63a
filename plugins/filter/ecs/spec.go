package ecs

import "github.com/sluice-logs/sluice/internal/plugin"

// Spec declares the ecs filter: its parameters and defaults are Fluent
// Bit's (plugins/filter_ecs/ecs.c config_map), plus ECS_Meta_Source and
// ECS_Meta_IO_Timeout, which are Sluice's.
func Spec() plugin.Spec {
	return plugin.Spec{
		Kind:    plugin.KindFilter,
		Name:    "ecs",
		Summary: "enrich records with Amazon ECS cluster, task and container metadata",
		Params: []plugin.Param{
			{Name: "Add", Type: plugin.TypeWords, Words: 2, Multiple: true,
				Doc: "KEY TEMPLATE: add KEY with the template's value, where $ClusterName, $TaskID, $ECSContainerName... are ECS metadata"},
			{Name: "ECS_Tag_Prefix", Doc: "tag prefix before the 12-character container short ID"},
			{Name: "Cluster_Metadata_Only", Type: plugin.TypeBool, Default: "off", Doc: "attach only the cluster metadata, never look up tasks"},
			{Name: "ECS_Meta_Cache_TTL", Type: plugin.TypeDuration, Default: "3600", Doc: "how long task metadata is cached"},
			{Name: "ECS_Meta_Host", Default: "127.0.0.1", Doc: "host of the ECS agent introspection API"},
			{Name: "ECS_Meta_Port", Type: plugin.TypeInt, Default: "51678", Min: 1, Max: 65535, Doc: "port of the ECS agent introspection API"},
			{Name: "Agent_Endpoint_Retries", Type: plugin.TypeInt, Default: "2", Doc: "failed task lookups per tag before only cluster metadata is attached to it"},
			{Name: "ECS_Meta_Source", Default: "auto", Options: []string{"auto", "agent", "task_metadata_v4"},
				Doc: "agent: the ECS agent introspection API (EC2); task_metadata_v4: $ECS_CONTAINER_METADATA_URI_V4/task (Fargate too); auto: v4 when that variable is set"},
			{Name: "ECS_Meta_IO_Timeout", Type: plugin.TypeDuration, Default: "5s", Doc: "longest wait for one metadata request; records pass without the metadata after it"},
		},
		Examples: []string{
			`[FILTER]
    Name            ecs
    Match           *
    ECS_Tag_Prefix  ecs.var.lib.docker.containers.
    Add             ecs_task_id $TaskID
    Add             cluster $ClusterName`,
			`[FILTER]
    Name      ecs
    Match     *
    Add       resource $ClusterName.$TaskDefinitionFamily.$TaskID.$ECSContainerName`,
		},
		NewFilter: func(s plugin.Settings) (plugin.Filter, error) { return New(s) },
	}
}
