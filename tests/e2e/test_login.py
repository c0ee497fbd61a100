def test_officer_logs_in_and_sees_the_dashboard(login, officer, live_server):
    page = login(officer)
    assert page.url == f"{live_server.url}/"
    assert page.locator("h1").inner_text() == "Dashboard"


def test_wrong_password_shows_error(page, live_server, officer):
    page.goto(f"{live_server.url}/login/")
    page.fill("input[name=username]", officer.username)
    page.fill("input[name=password]", "not-the-password")
    page.click("button[type=submit]")
    assert "did not match" in page.locator("[role=alert]").inner_text()
