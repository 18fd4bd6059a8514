"""The planner's top navigation as a person uses it: on a narrow screen its links are behind the
"Menu" button, so a link is followed after opening the menu when the button shows."""

from __future__ import annotations

from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait


def open_menu(driver):
    """Open the compact bar's menu when the bar is compact (a no-op on a wide screen)."""
    buttons = [b for b in driver.find_elements(By.CSS_SELECTOR, ".pl-menu-btn") if b.is_displayed()]
    if buttons and buttons[0].get_attribute("aria-expanded") != "true":
        buttons[0].click()
        WebDriverWait(driver, 5).until(lambda d: d.find_element(By.ID, "pl-nav").is_displayed())


def click_nav(driver, text):
    """Follow the top navigation's link named ``text``."""
    open_menu(driver)
    driver.find_element(By.ID, "pl-nav").find_element(By.LINK_TEXT, text).click()
