package auth

import (
	"fmt"
	"strings"
)

// Role is the access level of an API key. Roles are ordered: each includes every
// permission of the roles below it.
type Role uint8

// Roles, from least to most privileged. The zero Role is no role.
const (
	// RoleViewer reads the catalog, searches and reads aggregates.
	RoleViewer Role = iota + 1
	// RoleAnalyst adds forecasts, recommendations, per-user aggregates
	// without personal data, and exports.
	RoleAnalyst
	// RoleAdmin adds mutations, model training, backups and key management.
	RoleAdmin
)

var roleNames = map[Role]string{RoleViewer: "viewer", RoleAnalyst: "analyst", RoleAdmin: "admin"}

// String returns the role's name, such as "analyst".
func (r Role) String() string {
	if n, ok := roleNames[r]; ok {
		return n
	}
	return fmt.Sprintf("Role(%d)", uint8(r))
}

// Includes reports whether r grants every permission of required.
func (r Role) Includes(required Role) bool {
	return r >= required && r <= RoleAdmin && required >= RoleViewer
}

// ParseRole parses a role name: viewer, analyst or admin, in any case.
func ParseRole(s string) (Role, error) {
	for r, n := range roleNames {
		if strings.EqualFold(s, n) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("invalid role %q: use viewer, analyst or admin", s)
}

// MarshalText encodes the role as its name.
func (r Role) MarshalText() ([]byte, error) {
	if _, ok := roleNames[r]; !ok {
		return nil, fmt.Errorf("invalid role %d", uint8(r))
	}
	return []byte(r.String()), nil
}

// UnmarshalText decodes a role name.
func (r *Role) UnmarshalText(b []byte) error {
	v, err := ParseRole(string(b))
	if err != nil {
		return err
	}
	*r = v
	return nil
}
