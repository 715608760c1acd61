// Public API of @metalayer/oci: named re-exports only.
export {};
