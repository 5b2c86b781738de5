#!/usr/bin/python3
"""chart.py RESULTS [CHART.png]: the table of medians and ratios to native
from bench/macro.sh's results file ("workload tool seconds" lines), and with a
PNG name, a bar chart of the ratios (python3-matplotlib)."""
import sys


def main(results, chart=None):
    rows = [line.split() for line in open(results) if line.strip()]
    native = {w: float(t) for w, tool, t in rows if tool == "native"}
    ratios = {}
    print(f"{'workload':14} {'tool':10} {'median s':>9} {'x native':>9}")
    for w, tool, t in rows:
        r = float(t) / native[w] if native.get(w) else float("nan")
        ratios.setdefault(tool, {})[w] = r
        print(f"{w:14} {tool:10} {float(t):9.2f} {r:9.2f}")
    if not chart:
        return
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    workloads = list(native)
    tools = [t for t in ratios if t != "native"]
    fig, ax = plt.subplots(figsize=(9, 4))
    width = 0.8 / len(tools)
    for i, tool in enumerate(tools):
        values = [ratios[tool].get(w, 0) for w in workloads]
        bars = ax.bar([x + i * width for x in range(len(workloads))], values, width, label=tool)
        ax.bar_label(bars, fmt="%.1f", fontsize=6)
    ax.axhline(1.0, color="black", linewidth=0.8)
    if max(max(v.values()) for t, v in ratios.items() if t != "native") > 10:
        ax.set_yscale("log")
    ax.set_xticks([x + width * (len(tools) - 1) / 2 for x in range(len(workloads))], workloads)
    ax.set_ylabel("time / native root (lower is better)")
    ax.set_title("fauxroot and its peers against native root, same run")
    ax.legend()
    fig.tight_layout()
    fig.savefig(chart, dpi=100)
    print("chart:", chart)


if __name__ == "__main__":
    main(*sys.argv[1:])
