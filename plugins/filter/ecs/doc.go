// Package ecs implements the ecs filter: it adds Amazon ECS cluster, task
// and container metadata to records, under keys and in formats the user
// chooses with Add templates.
//
//	[FILTER]
//	    Name            ecs
//	    Match           *
//	    ECS_Tag_Prefix  ecs.var.lib.docker.containers.
//	    Add             resource $ClusterName.$TaskDefinitionFamily.$TaskID.$ECSContainerName
//
// # Fluent Bit parity
//
// Parameters, defaults and template keys are Fluent Bit's
// (plugins/filter_ecs/ecs.c): Add KEY TEMPLATE (repeatable), ECS_Tag_Prefix,
// Cluster_Metadata_Only, ECS_Meta_Cache_TTL (3600 s), ECS_Meta_Host
// (127.0.0.1), ECS_Meta_Port (51678) and Agent_Endpoint_Retries (2). The
// template keys are $ClusterName, $ContainerInstanceArn,
// $ContainerInstanceID, $ECSAgentVersion, $TaskARN, $TaskID,
// $TaskDefinitionFamily, $TaskDefinitionVersion, $ContainerID,
// $DockerContainerName and $ECSContainerName. Templates are record accessor
// templates (package accessor), rendered once per container against the
// metadata; an unknown key is a configuration error.
//
// As in Fluent Bit, with the agent introspection API (EC2 launch type) the
// 12 characters after ECS_Tag_Prefix in the tag are the container's short
// ID; /v1/metadata gives the cluster, /v1/tasks?dockerid=<id> the task and
// all its containers, cached for ECS_Meta_Cache_TTL. Records pass unchanged
// while the cluster is unknown; a container whose task cannot be found gets
// the cluster keys only (the others render empty), and after
// Agent_Endpoint_Retries failed lookups of a tag it is not looked up again.
//
// Sluice adds the task metadata endpoint v4 (ECS_Meta_Source
// task_metadata_v4, or auto when ECS_CONTAINER_METADATA_URI_V4 is set, as
// it is in every container of a task on Fargate and on EC2): one request to
// $ECS_CONTAINER_METADATA_URI_V4/task gives the cluster, the task and its
// containers. A record's container is found by the short ID in its tag or,
// for FireLens tags (<container>-firelens-<task ID>), by the container
// name; records of other tags get the cluster and task keys. That endpoint
// does not give $ContainerInstanceArn, $ContainerInstanceID or
// $ECSAgentVersion, which render empty.
//
// A lookup is never made twice at once, a batch waits for one at most
// ECS_Meta_IO_Timeout (Sluice's; Fluent Bit blocks), and a failed one is
// retried after a second at the earliest.
package ecs
