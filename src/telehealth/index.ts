// Telehealth: scheduling (src/telehealth/scheduling, ADR 0026); video visits join under video/.
export * from './scheduling/index.js';
