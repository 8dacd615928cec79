from corpuslint.cli import app

app(prog_name="corpuslint")
