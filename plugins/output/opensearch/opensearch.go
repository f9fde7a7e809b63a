// Package opensearch is Fluent Bit's opensearch output: the bulk client of
// package es under the opensearch name, with the same parameters
// (Fluent Bit's out_opensearch is a copy of out_es for OpenSearch). For
// Amazon OpenSearch Serverless set AWS_Service_Name aoss.
package opensearch

import (
	"github.com/sluice-logs/sluice/internal/plugin"
	"github.com/sluice-logs/sluice/plugins/output/es"
)

// Spec declares the opensearch output.
func Spec() plugin.Spec {
	return es.SpecNamed("opensearch", "index records into OpenSearch (or Amazon OpenSearch Service/Serverless) with the bulk API, per-document error handling, SigV4 and TLS")
}
