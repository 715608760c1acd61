// Public API of @metalayer/composefs: named re-exports only.
export {};
