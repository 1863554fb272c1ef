from discussion import create_app

app = create_app()
