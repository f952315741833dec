// Probe.Scenarios is built out by its own issue; the project exists now so the layering is fixed from the start.
[assembly: System.CLSCompliant(false)]
