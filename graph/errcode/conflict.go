package errcode

// Conflict is the code of a request that conflicts with work in progress,
// such as a second training started while one runs.
const Conflict = "CONFLICT"
