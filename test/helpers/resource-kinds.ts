/**
 * Registers a factory for every resource kind that routes name (`config.resource`).
 * Each context adds its kinds here as it gains routes with ids.
 */
import './resources.js';
