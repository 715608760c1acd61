// Public API of @metalayer/boot: named re-exports only.
export {};
