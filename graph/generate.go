// Package graph holds the executable GraphQL schema that gqlgen generates
// from schema/*.graphqls (generated.go and model/), and the hand-written
// marshalers of the Decimal and DateTime scalars (scalars.go).
package graph

//go:generate go tool gqlgen generate
