package resolvers

import (
	"context"

	"github.com/shopsight/shopsight/graph/auth"
)

// Each resolver group checks the caller's role with one of the helpers
// below before it reads anything. A failed check returns an *errcode.Error
// with code FORBIDDEN, or UNAUTHENTICATED when the request did not pass
// through the auth middleware. gqlgen reports it as an error of that field
// only. The query fields behind analyst and admin are nullable, so the
// other fields of the same query still resolve.

// requireCatalog guards the catalog (products, sellers) and reviews: viewer.
func requireCatalog(ctx context.Context) error { return auth.Require(ctx, auth.RoleViewer) }

// requireSearch guards product and review search: viewer.
func requireSearch(ctx context.Context) error { return auth.Require(ctx, auth.RoleViewer) }

// requireAggregates guards aggregate analytics (metrics, geoHeatmap,
// funnel, cohorts, timeSeries), which name no user: viewer.
func requireAggregates(ctx context.Context) error { return auth.Require(ctx, auth.RoleViewer) }

// requirePersonalRecords guards per-user records (users, orders, events,
// ordersNear and the user and order of a review or event): analyst. Below
// admin, privacy.go masks their personal data.
func requirePersonalRecords(ctx context.Context) error { return auth.Require(ctx, auth.RoleAnalyst) }

// requirePredictions guards forecasts, anomalies and recommendations:
// analyst.
func requirePredictions(ctx context.Context) error { return auth.Require(ctx, auth.RoleAnalyst) }

// requireAdmin guards every mutation, recommendation training and status,
// and API key management: admin.
func requireAdmin(ctx context.Context) error { return auth.Require(ctx, auth.RoleAdmin) }
