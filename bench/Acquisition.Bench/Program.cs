// acquisition-bench: reproducible performance harnesses; see docs/benchmarks.md.
return 0;
