"""The README's Python quick start: a local sandbox (no API key needed), Python and a plot."""

from hopx_ai import Sandbox

with Sandbox.create(template="code-interpreter") as sandbox:
    result = sandbox.run_code('print("Hello, World!")')
    print(result.stdout, result.success, result.exit_code, result.execution_time)

    sandbox.run_code("x = 41")
    print("state survives:", sandbox.run_code("x + 1").result)

    plot = sandbox.run_code("import matplotlib.pyplot as plt\nplt.plot([1, 3, 2])\nplt.show()")
    print("rich outputs:", [o.type for o in plot.rich_outputs])

    js = sandbox.run_code("console.log(6 * 7)", language="javascript")
    print("javascript:", js.stdout.strip())
