// Side-effect CSS imports resolve through Vite; the compiler only needs to know they exist.
declare module '*.css';
